import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { registeredRoutes } from './support/registered-routes';
import { request } from './support/http';
import { createApiApp } from '../api/app';
import { LifecycleClient } from '../api/lifecycle-client';
import { WorkflowStarter } from '../api/workflow-starter';
import { createStaffAccount } from '../api/auth/credential-store';
import { can, type Permission } from '../api/auth/roles';
import { STAFF_ROLES, type StaffRole } from '../db/registry/schema';
import { mintTenantId } from '../api/tenant-id';

/** Who may call a route: anyone, anyone signed in, or a role holding a permission. */
type Access = 'public' | 'signed-in' | Permission;

interface RouteCase {
  method: string;
  path: string;
  access: Access;
  /** A console page: the anonymous are sent to the sign-in form instead of getting 401. */
  page?: boolean;
  /** What to request for a STATIC mount. */
  probe?: string;
  body?: () => unknown;
}

const SIGN_IN = { email: 'viewer@authz.test', password: 'a-long-viewer-password' };

/** Every route of the app and who may call it; the first test checks that it covers all of them. */
const ROUTES: RouteCase[] = [
  { method: 'GET', path: '/healthz', access: 'public' },
  { method: 'POST', path: '/v1/session', access: 'public', body: () => SIGN_IN },
  { method: 'GET', path: '/v1/session', access: 'signed-in' },
  { method: 'DELETE', path: '/v1/session', access: 'public' },
  { method: 'GET', path: '/v1/plans', access: 'tenants.read' },
  { method: 'POST', path: '/v1/tenants', access: 'tenants.create', body: () => newTenantBody(uniqueSlug('authz')) },
  { method: 'GET', path: '/v1/tenants', access: 'tenants.read' },
  { method: 'GET', path: '/v1/tenants/:idOrSlug', access: 'tenants.read' },
  { method: 'GET', path: '/v1/tenants/:idOrSlug/audit', access: 'tenants.read' },
  { method: 'GET', path: '/v1/tenants/:idOrSlug/history', access: 'tenants.read' },
  { method: 'POST', path: '/v1/tenants/:idOrSlug/suspend', access: 'tenants.operate', body: () => ({ reason: 'authorization test' }) },
  { method: 'POST', path: '/v1/tenants/:idOrSlug/resume', access: 'tenants.operate', body: () => ({}) },
  { method: 'POST', path: '/v1/tenants/:idOrSlug/retry', access: 'tenants.operate', body: () => ({}) },
  // A wrong confirmation: an allowed caller gets 400, and the tenant stays.
  { method: 'POST', path: '/v1/tenants/:idOrSlug/deprovision', access: 'tenants.deprovision', body: () => ({ confirmSlug: 'not-the-slug' }) },
  { method: 'GET', path: '/v1/reconciliation', access: 'tenants.read' },
  { method: 'GET', path: '/login', access: 'public', page: true },
  { method: 'STATIC', path: '/assets', access: 'public', probe: '/assets/app.js' },
  { method: 'GET', path: '/', access: 'tenants.read', page: true },
  { method: 'GET', path: '/tenants/:idOrSlug', access: 'tenants.read', page: true },
];

type Caller = StaffRole | 'none';
const CALLERS: Caller[] = ['none', ...STAFF_ROLES];

function allowed(access: Access, caller: Caller): boolean {
  if (access === 'public') return true;
  if (caller === 'none') return false;
  return access === 'signed-in' || can(caller, access);
}

describe('authorization of every route for every role', function () {
  let platform: TestPlatform;
  let tenant: { id: string; slug: string };
  const created: string[] = [];

  /** A request as `caller` (bearer token, or nothing), without following redirects. */
  const call = async (caller: Caller, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${platform.apiUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(caller === 'none' ? {} : { authorization: `Bearer ${platform.tokens[caller]}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), text, type: res.headers.get('content-type') ?? '' };
  };
  /** Signs in as the console does; answers the Set-Cookie line of the session. */
  const signInCookie = async (email: string, password: string) => {
    const res = await fetch(`${platform.apiUrl}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(res.status, 200);
    return res.headers.getSetCookie().find((c) => c.startsWith('acp_session='))!;
  };
  const concrete = (path: string, idOrSlug: string) => path.replace(':idOrSlug', encodeURIComponent(idOrSlug));

  before(async function () {
    platform = await startTestPlatform();
    await createStaffAccount(platform.sql, SIGN_IN.email, 'viewer', SIGN_IN.password);
    tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
  });

  after(async function () {
    // Let the tenants the matrix created finish provisioning before the worker stops.
    await Promise.all(created.map((id) => waitForStatus(platform, id, 'active').catch(() => {})));
    await platform?.stop();
  });

  it('has a case for every route the app registers, and no case for a route it does not', function () {
    const app = createApiApp({
      sql: platform.sql,
      lifecycle: new LifecycleClient(platform.client, platform.taskQueue),
      namespace: 'default',
      temporalUiUrl: null,
      baseDomain: 'localhost',
      gatewayPort: null,
      workflowStarter: new WorkflowStarter(platform.sql, new LifecycleClient(platform.client, platform.taskQueue)),
      reconciliation: { registry: platform.sql, tenantServer: platform.context.tenantServer, storageRoot: platform.context.storageRoot },
    });
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    assert.deepEqual(registeredRoutes(app).map(key).sort(), ROUTES.map(key).sort());
  });

  for (const route of ROUTES) {
    it(`${route.method} ${route.path}: ${route.access}`, async function () {
      for (const caller of CALLERS) {
        const path = route.probe ?? concrete(route.path, tenant.id);
        const method = route.method === 'STATIC' ? 'GET' : route.method;
        const res = await call(caller, method, path, route.body?.());
        const what = `${caller} → ${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`;
        assert.ok(res.status < 500, `never a server error: ${what}`);
        if (allowed(route.access, caller)) {
          assert.ok(![401, 403].includes(res.status), `allowed: ${what}`);
          if (route.method === 'POST' && route.path === '/v1/tenants') {
            assert.equal(res.status, 202, what);
            created.push(JSON.parse(res.text).tenant.id);
          }
        } else if (caller === 'none') {
          if (route.page) assert.deepEqual([res.status, res.location?.startsWith('/login?next=')], [302, true], `to the sign-in form: ${what}`);
          else assert.equal(res.status, 401, `unauthenticated: ${what}`);
        } else {
          assert.equal(res.status, 403, `forbidden: ${what}`);
        }
      }
    });
  }

  it('answers 401 and 403 alike for a tenant that exists and one that does not', async function () {
    const targets = [tenant.id, tenant.slug, mintTenantId(), uniqueSlug('ghost')];
    for (const route of ROUTES.filter((r) => r.path.includes(':idOrSlug'))) {
      for (const caller of CALLERS.filter((c) => !allowed(route.access, c))) {
        const answers = new Set<string>();
        for (const target of targets) {
          const res = await call(caller, route.method, concrete(route.path, target), route.body?.());
          // The path itself may be echoed in a redirect to sign-in; nothing else may differ.
          answers.add(JSON.stringify([res.status, res.text, res.location]).replaceAll(target, '<target>'));
        }
        assert.equal(answers.size, 1, `${caller} → ${route.method} ${route.path}: ${[...answers].join(' | ')}`);
      }
    }
  });

  it('answers 401 to an anonymous request whatever its body, and to an unknown API path', async function () {
    const path = `/v1/tenants/${tenant.id}/suspend`;
    assert.equal((await call('none', 'POST', path, '{not json')).status, 401);
    assert.equal((await call('none', 'POST', path, JSON.stringify({ reason: 'x'.repeat(64 * 1024) }))).status, 401);
    assert.equal((await call('none', 'GET', '/v1/no-such-route')).status, 401);
    assert.equal((await call('viewer', 'GET', '/v1/no-such-route')).status, 404);
    assert.equal((await call('none', 'GET', '/v1/tenants', undefined, { authorization: 'Bearer acp_not-a-real-token' })).status, 401);
    assert.equal((await call('none', 'GET', '/v1/tenants', undefined, { cookie: 'acp_session=not-a-session' })).status, 401);
  });

  it('names the actor of every audit event: the token or the staff member who acted', async function () {
    const target = await createTenant(platform, newTenantBody(uniqueSlug('actors')));
    await waitForStatus(platform, target.id, 'active');
    assert.equal((await call('operator', 'POST', `/v1/tenants/${target.id}/suspend`, { reason: 'by token' })).status, 200);

    const staff = await createStaffAccount(platform.sql, 'operator@authz.test', 'operator', 'a-long-operator-password');
    const cookie = await signInCookie(staff.email, staff.password);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    const resume = await call('none', 'POST', `/v1/tenants/${target.id}/resume`, {}, { cookie: cookie.split(';')[0]! });
    assert.equal(resume.status, 200);

    const events = await platform.sql<{ actor: string; action: string }[]>`SELECT actor, action FROM audit_events WHERE tenant_id = ${target.id} ORDER BY id`;
    assert.equal(events.find((e) => e.action === 'tenant.created')?.actor, 'token:test-admin');
    assert.equal(events.find((e) => e.action === 'tenant.suspended')?.actor, 'token:test-operator');
    assert.equal(events.find((e) => e.action === 'tenant.resumed')?.actor, 'staff:operator@authz.test');
    const [unnamed] = await platform.sql`SELECT count(*)::int AS n FROM audit_events WHERE actor IS NULL OR btrim(actor) = ''`;
    assert.equal(unnamed?.n, 0, 'no audit event without an actor');
  });

  it('keeps only hashes of tokens, passwords and sessions in the registry', async function () {
    const password = 'plain-password-that-must-not-be-stored';
    await createStaffAccount(platform.sql, 'hash-check@authz.test', 'viewer', password);
    const cookie = await signInCookie('hash-check@authz.test', password);
    const session = decodeURIComponent(cookie.split(';')[0]!.slice('acp_session='.length));
    const secrets = [password, session, ...Object.values(platform.tokens)];
    // Every table of the registry, as text: no secret may appear anywhere in it.
    const tables = await platform.sql<{ name: string }[]>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`;
    for (const { name } of tables) {
      const [dump] = await platform.sql.unsafe(`SELECT coalesce(string_agg(t::text, E'\\n'), '') AS text FROM ${JSON.stringify(name)} t`);
      for (const secret of secrets) assert.ok(!String(dump!.text).includes(secret), `${name} holds a plain-text credential`);
    }
    const [hashes] = await platform.sql`
      SELECT (SELECT bool_and(password_hash LIKE 'scrypt$%') FROM staff_accounts) AS passwords,
             (SELECT bool_and(token_hash ~ '^[0-9a-f]{64}$') FROM api_tokens) AS tokens,
             (SELECT bool_and(token_hash ~ '^[0-9a-f]{64}$') FROM staff_sessions) AS sessions`;
    assert.deepEqual({ ...hashes }, { passwords: true, tokens: true, sessions: true });
  });
});

describe('the session cookie', function () {
  let platform: TestPlatform;
  before(async function () {
    platform = await startTestPlatform();
  });
  after(async function () {
    await platform?.stop();
  });

  it('is refused for a change sent from another origin, and sign-ins per account are rate-limited', async function () {
    const { email, password } = await createStaffAccount(platform.sql, `csrf-${platform.id}@staff.test`, 'admin');
    const session = await request(platform.apiUrl, 'POST', '/v1/session', { email, password });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const crossSite = await request(platform.apiUrl, 'POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'csrf' }, { cookie, origin: 'http://evil.example' });
    assert.equal(crossSite.status, 403);
    assert.equal((await platform.api('GET', `/v1/tenants/${tenant.id}`)).body.tenant.status, 'active');
    const sameSite = await request(platform.apiUrl, 'POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'same origin' }, { cookie, origin: platform.apiUrl });
    assert.equal(sameSite.status, 200);

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(platform.apiUrl, 'POST', '/v1/session', { email, password: 'wrong' })).status);
    assert.ok(statuses.includes(429), `sign-in attempts: ${statuses.join(',')}`);
    assert.ok(statuses.slice(0, 5).every((s) => s === 401));
  });
});
