import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { gatewayGet } from './support/http';
import { databaseNameOf, ownershipMarkOf } from '../activities/naming';
import { readTenantCredentials } from '../activities/tenant-database';
import { STORAGE_MARKER } from '../activities/storage-directory';
import { workflowIdOf } from '../workflows/contract';
import { runStepsAgain } from './support/run-steps';
import { TENANT_SLUG, TENANT_STATUS } from '../workflows/search-attributes';

describe('provisioning a tenant end to end', function () {
  let platform: TestPlatform;
  let tenant: { id: string; slug: string };
  let admin: postgres.Sql;

  before(async function () {
    platform = await startTestPlatform();
    admin = postgres(platform.adminUrl, { max: 2, onnotice: () => {} });
    tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
  });

  after(async function () {
    await admin?.end();
    await platform?.stop();
  });

  it('answers 202 with the tenant, a status URL and the workflow before provisioning finishes', async function () {
    const body = newTenantBody();
    const res = await platform.api('POST', '/v1/tenants', body);
    assert.equal(res.status, 202);
    assert.equal(res.body.tenant.status, 'provisioning');
    assert.equal(res.body.tenant.slug, body.slug);
    assert.equal(res.body.statusUrl, `/v1/tenants/${res.body.tenant.id}`);
    assert.equal(res.headers.get('location'), res.body.statusUrl);
    assert.equal(res.body.workflow.id, `tenant-${res.body.tenant.id}`);
    await waitForStatus(platform, res.body.tenant.id, 'active');
  });

  it('creates a database owned by a login role of its own, marked as the tenant\'s, closed to PUBLIC', async function () {
    const name = databaseNameOf(tenant.id);
    const [db] = await admin`SELECT pg_get_userbyid(datdba) AS owner, shobj_description(oid, 'pg_database') AS comment,
      has_database_privilege('public', datname, 'CONNECT') AS public_connect FROM pg_database WHERE datname = ${name}`;
    assert.ok(db, 'database exists');
    assert.equal(db.owner, name);
    assert.equal(db.comment, ownershipMarkOf(tenant.id));
    assert.equal(db.public_connect, false);
    const [role] = await admin`SELECT rolcanlogin, rolsuper, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = ${name}`;
    assert.ok(role, 'role exists');
    assert.equal(role.rolcanlogin, true);
    assert.equal(role.rolsuper, false);
    assert.equal(role.comment, ownershipMarkOf(tenant.id));
  });

  it('stores the role password encrypted, never in plain text', async function () {
    const [row] = await platform.sql`SELECT secret FROM tenant_resources WHERE tenant_id = ${tenant.id} AND kind = 'database'`;
    const credentials = await readTenantCredentials(platform.context, tenant.id);
    assert.ok(row?.secret && credentials);
    assert.ok(!String(row.secret).includes(credentials.password));
    assert.match(String(row.secret), /^v1\./);
  });

  it('migrates the product schema and seeds every default, as the tenant\'s own role', async function () {
    const credentials = (await readTenantCredentials(platform.context, tenant.id))!;
    const sql = postgres(credentials.url, { max: 1, onnotice: () => {} });
    try {
      const tables = (await sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`).map((r) => r.tablename);
      for (const t of ['users', 'roles', 'permissions', 'ticket_statuses', 'ticket_priorities', 'tickets', 'email_templates', 'settings', 'kb_categories', 'kb_articles', 'projects', 'project_views', 'automations', 'forms']) {
        assert.ok(tables.includes(t), `table ${t}`);
      }
      const count = async (table: string) => Number((await sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
      for (const t of ['ticket_statuses', 'ticket_priorities', 'roles', 'permissions', 'email_templates', 'kb_categories', 'projects', 'project_views', 'automations', 'forms']) {
        assert.ok((await count(t)) > 0, `seeded ${t}`);
      }
      const settings = (await sql`SELECT key FROM settings`).map((r) => r.key);
      for (const key of ['organization', 'branding', 'business_hours']) assert.ok(settings.includes(key), `setting ${key}`);
      const [adminUser] = await sql`SELECT u.email, u.password_hash, i.token_hash FROM users u JOIN invitations i ON i.user_id = u.id`;
      assert.equal(adminUser?.email, `owner@${tenant.slug}.example.com`);
      assert.equal(adminUser?.password_hash, null);
      assert.match(String(adminUser?.token_hash), /^[0-9a-f]{64}$/);
    } finally {
      await sql.end();
    }
    const outbox = readFileSync(path.join(platform.context.mailOutboxDir, `${tenant.id}-admin-invitation.eml`), 'utf8');
    assert.match(outbox, /\/invitations\/[A-Za-z0-9_-]{20,}/);
  });

  it('assigns marked storage, a published route and the inbound support address', async function () {
    const dir = path.join(platform.context.storageRoot, tenant.id);
    assert.equal(readFileSync(path.join(dir, STORAGE_MARKER), 'utf8').trim(), ownershipMarkOf(tenant.id));
    const [route] = await platform.sql`SELECT host, state FROM routes WHERE tenant_id = ${tenant.id}`;
    assert.deepEqual({ ...route }, { host: `${tenant.slug}.localhost`, state: 'published' });
    const [address] = await platform.sql`SELECT address, state FROM inbound_addresses WHERE tenant_id = ${tenant.id}`;
    assert.deepEqual({ ...address }, { address: `support@${tenant.slug}.inbound.test`, state: 'active' });
  });

  it('records every step as completed, with timings and audit events, and shows them in the detail', async function () {
    const res = await platform.api('GET', `/v1/tenants/${tenant.slug}`);
    assert.equal(res.status, 200);
    const steps = res.body.steps.filter((s: { pipeline: string }) => s.pipeline === 'provision');
    assert.deepEqual(
      steps.map((s: { step: string }) => s.step),
      ['registry', 'createDatabase', 'migrate', 'storage', 'routing', 'email', 'seed', 'activate'],
    );
    for (const s of steps) {
      assert.equal(s.status, 'completed');
      assert.equal(s.attempts, 1);
      assert.ok(s.durationMs >= 0 && s.finishedAt);
    }
    const kinds = res.body.resources.map((r: { kind: string }) => r.kind).sort();
    assert.deepEqual(kinds, ['database', 'inbound_address', 'role', 'route', 'storage']);
    assert.ok(res.body.resources.every((r: { secret?: unknown }) => r.secret === undefined), 'no secret in the API');
    const actions = res.body.audit.map((a: { action: string }) => a.action);
    assert.ok(actions.includes('tenant.created'));
    assert.ok(actions.includes('tenant.activated'));
    assert.equal(actions.filter((a: string) => a === 'step.completed').length, 8);
  });

  it('is findable in Temporal by its search attributes', async function () {
    const description = await platform.client.workflow.getHandle(workflowIdOf(tenant.id)).describe();
    assert.equal(description.typedSearchAttributes.get(TENANT_SLUG), tenant.slug);
    assert.equal(description.typedSearchAttributes.get(TENANT_STATUS), 'active');
    const found = [];
    for await (const wf of platform.client.workflow.list({ query: `TenantSlug = '${tenant.slug}'` })) found.push(wf.workflowId);
    // Visibility is eventually consistent; the describe above is the authority.
    assert.ok(found.length <= 1);
  });

  it('is served by the gateway from its own database; an unknown slug gets 404', async function () {
    const home = await gatewayGet(platform.gatewayPort, `${tenant.slug}.localhost`);
    assert.equal(home.status, 200);
    const body = JSON.parse(home.body);
    assert.equal(body.name, `Org ${tenant.slug}`);
    assert.ok(body.statuses.some((s: { key: string }) => s.key === 'open'));
    const html = await gatewayGet(platform.gatewayPort, `${tenant.slug}.localhost`, 'text/html');
    assert.match(html.body, new RegExp(`Org ${tenant.slug}`));
    const unknown = await gatewayGet(platform.gatewayPort, `${uniqueSlug('nobody')}.localhost`);
    assert.equal(unknown.status, 404);
  });

  it('keeps one tenant\'s role out of another tenant\'s database', async function () {
    const other = await createTenant(platform);
    await waitForStatus(platform, other.id, 'active');
    const mine = (await readTenantCredentials(platform.context, tenant.id))!;
    const theirs = (await readTenantCredentials(platform.context, other.id))!;
    const intruderUrl = new URL(theirs.url);
    intruderUrl.username = mine.role;
    intruderUrl.password = mine.password;
    const intruder = postgres(intruderUrl.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    await assert.rejects(intruder`SELECT 1`, /permission denied for database/);
    await intruder.end();
  });

  it('keeps a tenant\'s role out of the registry database too', async function () {
    const mine = (await readTenantCredentials(platform.context, tenant.id))!;
    const url = new URL(platform.registryUrl);
    url.username = mine.role;
    url.password = mine.password;
    const intruder = postgres(url.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5 });
    await assert.rejects(intruder`SELECT 1`, /permission denied for database/);
    await intruder.end();
  });

  it('changes nothing when the whole pipeline runs a second time', async function () {
    const snapshot = async () => ({
      databases: Number((await admin`SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 't\\_%'`)[0]!.n),
      roles: Number((await admin`SELECT count(*)::int AS n FROM pg_roles WHERE rolname LIKE 't\\_%'`)[0]!.n),
      directories: readdirSync(platform.context.storageRoot).length,
      routes: Number((await platform.sql`SELECT count(*)::int AS n FROM routes`)[0]!.n),
      addresses: Number((await platform.sql`SELECT count(*)::int AS n FROM inbound_addresses`)[0]!.n),
      resources: Number((await platform.sql`SELECT count(*)::int AS n FROM tenant_resources`)[0]!.n),
      tenantRows: await tenantRowCounts(),
    });
    const tenantRowCounts = async () => {
      const credentials = (await readTenantCredentials(platform.context, tenant.id))!;
      const sql = postgres(credentials.url, { max: 1, onnotice: () => {} });
      try {
        const tables = await sql`SELECT tablename FROM pg_tables WHERE schemaname IN ('public', 'drizzle')`;
        const counts: Record<string, number> = {};
        for (const { tablename } of tables) {
          counts[tablename] = Number((await sql.unsafe(`SELECT count(*)::int AS n FROM "${tablename === '__drizzle_migrations' ? 'drizzle"."' : ''}${tablename}"`))[0]!.n);
        }
        return counts;
      } finally {
        await sql.end();
      }
    };
    const before = await snapshot();
    await runStepsAgain(platform, tenant.id);
    assert.deepEqual(await snapshot(), before);
    assert.ok(existsSync(path.join(platform.context.storageRoot, tenant.id)));
  });
});
