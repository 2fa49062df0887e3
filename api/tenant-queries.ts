import type postgres from 'postgres';
import { RESOURCE_KINDS, type ResourceKind, type TenantStatus } from '../db/registry/schema';
import type { ListTenantsQuery } from './tenant-input';
import { UUID_PATTERN } from './tenant-id';
import { Problem } from './problem';
import type { TenantIdentity } from '../workflows/contract';

/** Read-side queries over the registry for the API and the console. */

export interface TenantRow {
  id: string;
  name: string;
  slug: string;
  plan: string;
  status: string;
  adminEmail: string;
  createdBy: string;
  suspensionReason: string | null;
  failedPipeline: string | null;
  failedStep: string | null;
  failureReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** Kinds of resource the registry records as present. */
  presentResources: string[];
}

const TENANT_COLUMNS = `id, name, slug, plan, status, admin_email AS "adminEmail", created_by AS "createdBy",
  suspension_reason AS "suspensionReason", failed_pipeline AS "failedPipeline", failed_step AS "failedStep",
  failure_reason AS "failureReason", created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt"`;

/** One primary-key range probe per tenant row; only ever applied to the rows of one page. */
const presentResourcesOf = (tenantIdColumn: string) =>
  `ARRAY(SELECT kind FROM tenant_resources r WHERE r.tenant_id = ${tenantIdColumn} AND r.state = 'present' ORDER BY kind) AS "presentResources"`;

/** What a tenant must have while it is in service; while provisioning or tearing down, resources come and go. */
const REQUIRED_RESOURCES: Partial<Record<TenantStatus, readonly ResourceKind[]>> = {
  active: RESOURCE_KINDS,
  suspended: RESOURCE_KINDS,
};

export type Health = { state: 'healthy' } | { state: 'attention'; reason: string };

/** A pipeline normally finishes in seconds; one still running after this is stuck on a retrying step. */
export const STUCK_AFTER_MS = 10 * 60_000;

export function healthOf(
  t: Pick<TenantRow, 'status' | 'failedStep' | 'failureReason' | 'failedPipeline' | 'presentResources' | 'updatedAt'>,
  now = Date.now(),
): Health {
  if ((t.status === 'provisioning' || t.status === 'deprovisioning') && now - new Date(t.updatedAt).getTime() > STUCK_AFTER_MS) {
    const minutes = Math.floor((now - new Date(t.updatedAt).getTime()) / 60_000);
    return { state: 'attention', reason: `${t.status} for ${minutes} minutes: a step keeps retrying; see the provisioning history` };
  }
  if (t.status === 'failed') {
    return { state: 'attention', reason: `${t.failedPipeline === 'deprovision' ? 'teardown' : 'provisioning'} step ${t.failedStep} failed: ${t.failureReason ?? 'unknown error'}` };
  }
  const missing = (REQUIRED_RESOURCES[t.status as TenantStatus] ?? []).filter((kind) => !t.presentResources.includes(kind));
  if (missing.length > 0) return { state: 'attention', reason: `missing ${missing.join(', ')}` };
  return { state: 'healthy' };
}

export function tenantView(t: TenantRow) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    plan: t.plan,
    status: t.status,
    health: healthOf(t),
    adminEmail: t.adminEmail,
    createdBy: t.createdBy,
    suspensionReason: t.suspensionReason,
    failure: t.failedStep ? { pipeline: t.failedPipeline, step: t.failedStep, reason: t.failureReason } : null,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    deletedAt: t.deletedAt,
  };
}

/** Any client or transaction: reads see the caller's own uncommitted writes. */
type Queryable = postgres.Sql | postgres.TransactionSql;

export async function findTenant(sql: Queryable, idOrSlug: string): Promise<TenantRow | null> {
  // No slug or id is that long or holds a NUL; PostgreSQL would refuse the NUL outright.
  if (idOrSlug.length > 100 || idOrSlug.includes('\u0000')) return null;
  const rows = UUID_PATTERN.test(idOrSlug)
    ? await sql.unsafe<TenantRow[]>(`SELECT ${TENANT_COLUMNS}, ${presentResourcesOf('tenants.id')} FROM tenants WHERE id = $1`, [idOrSlug])
    : // A slug names its live tenant, or else its most recent deleted one.
      await sql.unsafe<TenantRow[]>(
        `SELECT ${TENANT_COLUMNS}, ${presentResourcesOf('tenants.id')} FROM tenants WHERE slug = $1 ORDER BY (status = 'deleted'), created_at DESC LIMIT 1`,
        [idOrSlug],
      );
  return rows[0] ?? null;
}

export async function requireTenant(sql: Queryable, idOrSlug: string): Promise<TenantRow> {
  const tenant = await findTenant(sql, idOrSlug);
  if (!tenant) throw Problem.notFound();
  return tenant;
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !UUID_PATTERN.test(id)) {
    throw Problem.validation([{ field: 'cursor', reason: 'is not a cursor this API returned' }]);
  }
  return { createdAt, id };
}

function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Spelled as the indexes are (drizzle writes `DESC NULLS LAST`): a plain `DESC` means
 * NULLS FIRST, which no index matches, and the planner would sort the whole table.
 */
const NEWEST_FIRST = 'created_at DESC NULLS LAST, id DESC NULLS LAST';

/**
 * The list's SQL: newest first, keyset-paged so that page 1,000 costs what page 1 does.
 * The page is cut in a subquery first, so the resource lookups behind health run for
 * its rows only. Separate from running it so that its plan can be checked.
 */
export function listTenantsStatement(query: ListTenantsQuery): { text: string; params: (string | number)[] } {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const param = (v: string | number) => {
    params.push(v);
    return `$${params.length}`;
  };
  const q = query.q?.trim();
  if (q) {
    const p = param(likePattern(q));
    // Text no slug can contain (a space, any character outside a-z, 0-9 and -) skips the slug
    // index: a second trigram scan that can only come back empty costs more than the first.
    conditions.push(/^[a-z0-9-]+$/.test(q.toLowerCase()) ? `(lower(name) LIKE ${p} OR slug LIKE ${p})` : `lower(name) LIKE ${p}`);
  }
  if (query.status) conditions.push(`status = ${param(query.status)}`);
  if (query.plan) conditions.push(`plan = ${param(query.plan)}`);
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    conditions.push(`(created_at, id) < (${param(c.createdAt)}::timestamptz, ${param(c.id)}::uuid)`);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const text = `SELECT page.*, ${presentResourcesOf('page.id')}
     FROM (SELECT ${TENANT_COLUMNS} FROM tenants ${where} ORDER BY ${NEWEST_FIRST} LIMIT ${param(query.limit + 1)}) page
     ORDER BY page."createdAt" DESC NULLS LAST, page.id DESC NULLS LAST`;
  return { text, params };
}

export async function listTenants(sql: postgres.Sql, query: ListTenantsQuery) {
  const statement = listTenantsStatement(query);
  const rows = await sql.unsafe<TenantRow[]>(statement.text, statement.params);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(tenantView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

export interface TenantResourceRow {
  kind: ResourceKind;
  name: string;
  details: Record<string, unknown>;
  state: 'present' | 'removed';
  createdAt: Date;
  removedAt: Date | null;
}

export async function tenantResources(sql: postgres.Sql, tenantId: string) {
  return sql<TenantResourceRow[]>`
    SELECT kind, name, details, state, created_at AS "createdAt", removed_at AS "removedAt"
    FROM tenant_resources WHERE tenant_id = ${tenantId} ORDER BY created_at`;
}

export async function tenantSteps(sql: postgres.Sql, tenantId: string) {
  return sql`
    SELECT pipeline, step, position, status, attempts, first_started_at AS "firstStartedAt", started_at AS "startedAt",
           finished_at AS "finishedAt", duration_ms AS "durationMs", last_error AS "lastError", last_error_type AS "lastErrorType"
    FROM step_runs WHERE tenant_id = ${tenantId} ORDER BY pipeline, position`;
}

/** Oldest first from `after`, so a client can page forward through the whole trail. */
export async function auditPage(sql: postgres.Sql, tenantId: string, opts: { limit: number; after?: number }) {
  const rows = await sql<{ id: number }[]>`
    SELECT id, at, actor, action, step, outcome, error, details FROM audit_events
    WHERE tenant_id = ${tenantId} AND id > ${opts.after ?? 0}
    ORDER BY id LIMIT ${opts.limit + 1}`;
  const page = rows.slice(0, opts.limit);
  return { items: page, nextCursor: rows.length > opts.limit ? String(page[page.length - 1]!.id) : null };
}

export async function recentAudit(sql: postgres.Sql, tenantId: string, limit = 50) {
  return sql`
    SELECT id, at, actor, action, step, outcome, error, details FROM audit_events
    WHERE tenant_id = ${tenantId} ORDER BY id DESC LIMIT ${limit}`;
}

/**
 * A new tenant's row, its `tenant.created` audit event and the order to start its
 * workflow, in one statement: one round trip, all or nothing even outside a transaction.
 * The foreign key to plans refuses an unknown plan (23503), a live slug taken (23505).
 * JSON goes in as text cast to jsonb: typed jsonb, postgres.js would encode the string
 * once more, as a JSON string.
 */
export async function insertNewTenant(sql: Queryable, t: TenantIdentity): Promise<TenantRow> {
  const rows = await sql.unsafe<TenantRow[]>(
    `WITH created AS (
       INSERT INTO tenants (id, name, slug, plan, admin_email, created_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'provisioning') RETURNING *
     ), audit AS (
       INSERT INTO audit_events (tenant_id, actor, action, outcome, details)
       SELECT id, created_by, 'tenant.created', 'requested', $7::text::jsonb FROM created
     ), start AS (
       INSERT INTO workflow_starts (tenant_id, identity) SELECT id, $8::text::jsonb FROM created
     )
     SELECT ${TENANT_COLUMNS} FROM created`,
    [
      t.tenantId,
      t.name,
      t.slug,
      t.plan,
      t.adminEmail,
      t.createdBy,
      JSON.stringify({ name: t.name, slug: t.slug, plan: t.plan, adminEmail: t.adminEmail }),
      JSON.stringify(t),
    ],
  );
  return rows[0]!;
}
