import http from 'node:http';
import type postgres from 'postgres';
import { TenantPools } from './tenant-pools';
import { messagePage, notFoundPage, pageNotFoundPage, suspendedPage, tenantHomePage, unavailablePage, type TenantHome } from './pages';
import { HttpError, sendPage } from './http';
import { matchInvitationPath, serveInvitation } from './invitation';
import type { TenantDatabaseCredentials } from '../activities/tenant-database';

export interface GatewayDeps {
  /** The registry, where routes and tenant statuses live. */
  sql: postgres.Sql;
  credentialsOf(tenantId: string): Promise<TenantDatabaseCredentials | null>;
}

interface RouteLookup {
  tenantId: string;
  name: string;
  status: string;
}

/**
 * Routes `<slug>.<base domain>` to its tenant. The route and the tenant's status are
 * read from the registry on every request, so a suspension or a revoked route takes
 * effect at once, with no cache to expire and nothing to restart. Only an active tenant
 * is served: `/`, its home, and `/invitations/…` (gateway/invitation.ts); any other path is 404.
 */
export function createGateway(deps: GatewayDeps): http.Server & { closeAll(): Promise<void> } {
  const pools = new TenantPools();

  const server = http.createServer(async (req, res) => {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const send = (status: number, html: string, json: unknown, headers: Record<string, string> = {}) => {
      if (!wantsJson) return sendPage(res, status, html, headers);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
      res.end(JSON.stringify(json));
    };
    // Only the path: the query is ignored, and neither is ever logged (an invitation token is in the path).
    const pathname = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    try {
      const [route] = await deps.sql<RouteLookup[]>`
        SELECT r.tenant_id AS "tenantId", t.name, t.status
        FROM routes r JOIN tenants t ON t.id = r.tenant_id
        WHERE r.host = ${host} AND r.state = 'published'`;
      if (!route) return send(404, notFoundPage(host), { error: 'not_found', host });
      if (route.status === 'suspended') {
        pools.evict(route.tenantId);
        return send(403, suspendedPage(route.name), { error: 'suspended', tenant: route.name });
      }
      if (route.status !== 'active') return send(503, unavailablePage(route.name, route.status), { error: 'unavailable', status: route.status });

      const invitation = matchInvitationPath(pathname);
      if (pathname !== '/' && !invitation) return send(404, pageNotFoundPage(route.name), { error: 'not_found' });
      if (pathname === '/' && method !== 'GET' && method !== 'HEAD') {
        throw new HttpError(405, 'Method not allowed', 'This page can only be read.', { allow: 'GET, HEAD' });
      }
      const credentials = await deps.credentialsOf(route.tenantId);
      if (!credentials) return send(503, unavailablePage(route.name, 'no database'), { error: 'unavailable' });
      const tenantSql = pools.get(route.tenantId, credentials.url);
      if (invitation) return await serveInvitation(req, res, { sql: tenantSql, orgName: route.name }, invitation);
      const home = await readHome(tenantSql);
      send(200, tenantHomePage(home), home);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
      } else if (err instanceof HttpError) {
        sendPage(res, err.status, messagePage(err.title, err.detail), err.headers);
      } else {
        // The error alone: never the request's path or body, which may hold a token or a password.
        console.error('gateway error', err);
        send(502, unavailablePage(host, 'error'), { error: 'bad_gateway' });
      }
    }
  });
  return Object.assign(server, {
    async closeAll() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await pools.closeAll();
    },
  });
}

/** Answered from the tenant's own database, as its own role. */
async function readHome(sql: postgres.Sql): Promise<TenantHome> {
  const [org] = await sql<{ value: { name: string; slug: string } }[]>`SELECT value FROM settings WHERE key = 'organization'`;
  const statuses = await sql<TenantHome['statuses']>`SELECT key, name, color FROM ticket_statuses ORDER BY position`;
  return { name: org?.value.name ?? '', slug: org?.value.slug ?? '', statuses: [...statuses] };
}
