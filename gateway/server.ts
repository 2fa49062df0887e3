import http from 'node:http';
import type postgres from 'postgres';
import { TenantPools } from './tenant-pools';
import { notFoundPage, suspendedPage, tenantHomePage, unavailablePage, type TenantHome } from './pages';
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
 * effect at once, with no cache to expire and nothing to restart.
 */
export function createGateway(deps: GatewayDeps): http.Server & { closeAll(): Promise<void> } {
  const pools = new TenantPools();

  const server = http.createServer(async (req, res) => {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const send = (status: number, html: string, json: unknown) => {
      res.writeHead(status, { 'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(wantsJson ? JSON.stringify(json) : html);
    };
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
      const credentials = await deps.credentialsOf(route.tenantId);
      if (!credentials) return send(503, unavailablePage(route.name, 'no database'), { error: 'unavailable' });
      const home = await readHome(pools.get(route.tenantId, credentials.url));
      send(200, tenantHomePage(home), home);
    } catch (err) {
      console.error('gateway error', err);
      send(502, unavailablePage(host, 'error'), { error: 'bad_gateway' });
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
