import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrateTenantDatabase } from '../db/tenant/migrate';
import { hashInvitationToken, seedTenantDatabase, type SeedTenantInput } from '../db/tenant/seed';
import { testEnvironment } from './support/environment';

const EXPECTED_TABLES = [
  'automations',
  'email_templates',
  'forms',
  'invitations',
  'kb_articles',
  'kb_categories',
  'permissions',
  'project_views',
  'projects',
  'role_permissions',
  'roles',
  'settings',
  'ticket_priorities',
  'ticket_statuses',
  'tickets',
  'user_roles',
  'users',
];

interface TenantDatabase {
  name: string;
  url: string;
  /** Connected as the tenant's own login role, as provisioning does. */
  sql: postgres.Sql;
}

/** A database owned by its own non-superuser login role, set up the way production does it. */
async function createTenantDatabase(admin: postgres.Sql, adminUrl: string): Promise<TenantDatabase> {
  const name = `t_test_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  await admin.unsafe(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  await admin.unsafe(`CREATE DATABASE ${name} OWNER ${name}`);
  await admin.unsafe(`REVOKE CONNECT ON DATABASE ${name} FROM PUBLIC`);
  const url = new URL(adminUrl);
  url.username = name;
  url.password = password;
  url.pathname = `/${name}`;
  // max: 1 like the provisioning activities, which proves nothing needs a second connection.
  return { name, url: url.toString(), sql: connect(url.toString()) };
}

function connect(url: string): postgres.Sql {
  return postgres(url, { max: 1, onnotice: () => {} });
}

async function dropTenantDatabase(admin: postgres.Sql, db: TenantDatabase): Promise<void> {
  await db.sql.end({ timeout: 5 });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
  await admin.unsafe(`DROP ROLE IF EXISTS ${db.name}`);
}

async function rowCounts(sql: postgres.Sql): Promise<Record<string, number>> {
  const tables = await sql<{ schema: string; name: string }[]>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_schema IN ('public', 'drizzle') AND table_type = 'BASE TABLE'
    ORDER BY 1, 2`;
  const counts: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(t.schema)}.${sql(t.name)}`;
    counts[`${t.schema}.${t.name}`] = row?.n ?? -1;
  }
  return counts;
}

async function count(sql: postgres.Sql, table: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(table)}`;
  return row?.n ?? -1;
}

describe('tenant database: migrate and seed', () => {
  let admin: postgres.Sql;
  let adminUrl: string;
  const created: TenantDatabase[] = [];

  const input: SeedTenantInput = {
    tenantName: 'Acme Support',
    slug: 'acme',
    adminEmail: 'Owner@Acme.example',
    supportAddress: 'support@acme.inbound.example',
    now: new Date('2026-01-15T10:00:00Z'),
  };

  before(async () => {
    ({ adminUrl } = await testEnvironment());
    admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  });

  after(async () => {
    for (const db of created) await dropTenantDatabase(admin, db);
    await admin?.end({ timeout: 5 });
  });

  async function freshTenant(): Promise<TenantDatabase> {
    const db = await createTenantDatabase(admin, adminUrl);
    created.push(db);
    return db;
  }

  it('migrates and seeds as the tenant role, and a second run changes nothing', async () => {
    const { sql } = await freshTenant();
    const [me] = await sql<{ superuser: boolean }[]>`SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user`;
    assert.equal(me?.superuser, false, 'the test must run as a non-superuser, like provisioning');

    await migrateTenantDatabase(sql);
    const first = await seedTenantDatabase(sql, input);

    const tables = await sql<{ name: string }[]>`
      SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
    assert.deepEqual(
      tables.map((t) => t.name),
      EXPECTED_TABLES,
    );

    const statuses = await sql<{ key: string; is_default: boolean }[]>`SELECT key, is_default FROM ticket_statuses ORDER BY position`;
    assert.deepEqual(
      statuses.map((s) => s.key),
      ['open', 'pending', 'on-hold', 'solved', 'closed'],
    );
    assert.deepEqual(
      statuses.filter((s) => s.is_default).map((s) => s.key),
      ['open'],
    );
    const priorities = await sql<{ key: string }[]>`SELECT key FROM ticket_priorities ORDER BY rank`;
    assert.deepEqual(
      priorities.map((p) => p.key),
      ['low', 'normal', 'high', 'urgent'],
    );

    const adminPermissions = await sql<{ key: string }[]>`
      SELECT p.key FROM permissions p
      JOIN role_permissions rp ON rp.permission_id = p.id JOIN roles r ON r.id = rp.role_id
      WHERE r.key = 'admin'`;
    assert.ok(adminPermissions.some((p) => p.key === 'users.manage'));
    assert.ok(adminPermissions.some((p) => p.key === 'settings.manage'));

    // The admin: lower-cased email, admin role, invited with a hashed token, no password.
    const users = await sql<{ email: string; status: string; password_hash: string | null; roles: string[] }[]>`
      SELECT u.email, u.status, u.password_hash, array_agg(r.key) AS roles
      FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
      GROUP BY u.id`;
    assert.equal(users.length, 1);
    assert.equal(users[0]?.email, 'owner@acme.example');
    assert.equal(users[0]?.status, 'invited');
    assert.equal(users[0]?.password_hash, null);
    assert.deepEqual(users[0]?.roles, ['admin']);

    assert.ok(first.invitationToken, 'the first seed returns the raw token');
    assert.match(first.invitationToken, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    const invitations = await sql<{ token_hash: string; expires_at: Date; accepted_at: Date | null }[]>`
      SELECT token_hash, expires_at, accepted_at FROM invitations`;
    assert.equal(invitations.length, 1);
    assert.equal(invitations[0]?.token_hash, hashInvitationToken(first.invitationToken));
    assert.notEqual(invitations[0]?.token_hash, first.invitationToken);
    // Also proves the caller's client still parses timestamps as Dates after Drizzle used it.
    assert.ok(invitations[0]?.expires_at instanceof Date);
    assert.equal(invitations[0]?.expires_at.toISOString(), '2026-01-22T10:00:00.000Z');
    assert.equal(invitations[0]?.accepted_at, null);

    const settings = Object.fromEntries(
      (await sql<{ key: string; value: Record<string, unknown> }[]>`SELECT key, value FROM settings`).map((s) => [s.key, s.value]),
    );
    assert.deepEqual(settings.organization, { name: 'Acme Support', slug: 'acme' });
    assert.deepEqual(settings.support, { address: 'support@acme.inbound.example' });
    assert.deepEqual(settings.branding, { displayName: 'Acme Support', primaryColor: '#2563eb', logoUrl: null });
    assert.equal((settings.business_hours as { timezone: string }).timezone, 'UTC');

    const templates = await sql<{ key: string; subject: string }[]>`SELECT key, subject FROM email_templates ORDER BY key`;
    assert.deepEqual(
      templates.map((t) => t.key),
      ['invitation', 'ticket-created', 'ticket-reply', 'ticket-solved'],
    );
    assert.ok(templates.every((t) => t.subject.includes('{{')), 'template placeholders are kept for the mailer');

    const kb = await sql<{ category: string; article: string; published_at: Date | null }[]>`
      SELECT c.name AS category, a.title AS article, a.published_at
      FROM kb_categories c JOIN kb_articles a ON a.category_id = c.id`;
    assert.equal(kb.length, 1);
    assert.equal(kb[0]?.category, 'Getting started');
    assert.ok(kb[0]?.published_at);

    const views = await sql<{ project: string; type: string }[]>`
      SELECT p.name AS project, v.type FROM projects p JOIN project_views v ON v.project_id = p.id ORDER BY v.position`;
    assert.deepEqual(
      views.map((v) => `${v.project}:${v.type}`),
      ['Sample project:board', 'Sample project:list', 'Sample project:calendar'],
    );

    const [automation] = await sql<{ trigger_event: string; enabled: boolean; actions: unknown[] }[]>`
      SELECT trigger_event, enabled, actions FROM automations`;
    assert.equal(automation?.trigger_event, 'ticket.created');
    assert.equal(automation?.enabled, true);
    assert.equal(automation?.actions.length, 1);

    const [form] = await sql<{ name: string; fields: { key: string }[] }[]>`SELECT name, fields FROM forms`;
    assert.equal(form?.name, 'Contact support');
    assert.ok(form?.fields.some((f) => f.key === 'email'));

    assert.equal(await count(sql, 'tickets'), 0);

    // Second run: migrations skipped, every insert a no-op, no new token.
    const before = await rowCounts(sql);
    assert.equal(before['drizzle.__drizzle_migrations'], 1);
    await migrateTenantDatabase(sql);
    const second = await seedTenantDatabase(sql, input);
    assert.equal(second.invitationToken, null);
    assert.deepEqual(await rowCounts(sql), before);
  });

  it('overlapping seeds create exactly one invitation', async () => {
    const { sql, url } = await freshTenant();
    await migrateTenantDatabase(sql);
    // A second client, so the two transactions really run at the same time.
    const other = connect(url);
    try {
      const results = await Promise.all([seedTenantDatabase(sql, input), seedTenantDatabase(other, input)]);
      const tokens = results.map((r) => r.invitationToken).filter((t) => t !== null);
      assert.equal(tokens.length, 1);
      assert.equal(await count(sql, 'invitations'), 1);
      assert.equal(await count(sql, 'ticket_statuses'), 5);
    } finally {
      await other.end({ timeout: 5 });
    }
  });

  it('rejects an invalid admin email before touching the database', async () => {
    const { sql } = await freshTenant();
    await migrateTenantDatabase(sql);
    await assert.rejects(seedTenantDatabase(sql, { ...input, adminEmail: 'not an email' }));
    assert.equal(await count(sql, 'ticket_statuses'), 0);
  });
});
