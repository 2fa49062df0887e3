import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { withDatabase } from '../db/registry/connect';
import type { StepContext } from './context';
import { databaseNameOf, ownershipMarkOf } from './naming';

export interface TenantDatabaseCredentials {
  database: string;
  role: string;
  password: string;
  url: string;
}

/**
 * The tenant's database credentials, minted and sealed in the registry on first use.
 * Sealing before the role exists means a retry after a crash reuses the same password
 * instead of locking itself out.
 */
export async function ensureTenantCredentials(ctx: StepContext, tenantId: string): Promise<TenantDatabaseCredentials> {
  const name = databaseNameOf(tenantId);
  const sealed = ctx.secrets.seal(randomBytes(24).toString('base64url'));
  await ctx.registry.sql`
    INSERT INTO tenant_resources (tenant_id, kind, name, details, secret, state)
    VALUES (${tenantId}, 'database', ${name}, ${ctx.registry.sql.json({ role: name })}, ${sealed}, 'present')
    ON CONFLICT (tenant_id, kind) DO NOTHING`;
  const credentials = await readTenantCredentials(ctx, tenantId);
  if (!credentials) throw new Error(`credentials for tenant ${tenantId} could not be stored`);
  return credentials;
}

export async function readTenantCredentials(
  ctx: Pick<StepContext, 'registry' | 'secrets' | 'tenantServerUrl'>,
  tenantId: string,
): Promise<TenantDatabaseCredentials | null> {
  const [row] = await ctx.registry.sql<{ name: string; secret: string | null }[]>`
    SELECT name, secret FROM tenant_resources WHERE tenant_id = ${tenantId} AND kind = 'database'`;
  if (!row?.secret) return null;
  const password = ctx.secrets.open(row.secret);
  const url = new URL(withDatabase(ctx.tenantServerUrl, row.name));
  url.username = row.name;
  url.password = password;
  return { database: row.name, role: row.name, password, url: url.toString() };
}

/** Runs `fn` connected to the tenant's database as the tenant's own role. */
export async function withTenantDatabase<T>(ctx: StepContext, tenantId: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const credentials = await readTenantCredentials(ctx, tenantId);
  if (!credentials) throw new Error(`tenant ${tenantId} has no database credentials yet`);
  const sql = postgres(credentials.url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Owner and ownership comment of a database, or null when it does not exist. */
export async function inspectDatabase(server: postgres.Sql, name: string): Promise<{ owner: string; comment: string | null } | null> {
  const [row] = await server<{ owner: string; comment: string | null }[]>`
    SELECT pg_get_userbyid(datdba) AS owner, shobj_description(oid, 'pg_database') AS comment
    FROM pg_database WHERE datname = ${name}`;
  return row ?? null;
}

export async function inspectRole(server: postgres.Sql, name: string): Promise<{ comment: string | null } | null> {
  const [row] = await server<{ comment: string | null }[]>`
    SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = ${name}`;
  return row ?? null;
}

export type Ownership = 'absent' | 'ours' | 'foreign';

/**
 * Whose the tenant's role and database are. The role is ours only with our mark (it is
 * created together with it). The database is ours with our mark, or, unmarked, when it
 * is owned by our marked role: what an attempt leaves if it dies between CREATE DATABASE
 * and COMMENT. Any other mark or owner makes it someone else's.
 */
export async function inspectOwnership(server: postgres.Sql, tenantId: string): Promise<{ role: Ownership; database: Ownership }> {
  const name = databaseNameOf(tenantId);
  const mark = ownershipMarkOf(tenantId);
  const [role, database] = await Promise.all([inspectRole(server, name), inspectDatabase(server, name)]);
  const roleOwnership: Ownership = !role ? 'absent' : role.comment === mark ? 'ours' : 'foreign';
  let databaseOwnership: Ownership = 'absent';
  if (database) {
    const unmarkedButOurs = database.comment === null && database.owner === name && roleOwnership === 'ours';
    databaseOwnership = database.comment === mark || unmarkedButOurs ? 'ours' : 'foreign';
  }
  return { role: roleOwnership, database: databaseOwnership };
}
