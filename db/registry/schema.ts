import { sql } from 'drizzle-orm';
import {
  bigserial,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * The registry: the platform's read model of every tenant. The API writes a tenant's
 * first row; everything after that is written by the tenant's workflow activities.
 */

export const TENANT_STATUSES = ['provisioning', 'active', 'suspended', 'deprovisioning', 'deleted', 'failed'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
export const tenantStatus = pgEnum('tenant_status', TENANT_STATUSES);

export const PIPELINES = ['provision', 'deprovision'] as const;
export type Pipeline = (typeof PIPELINES)[number];
export const pipeline = pgEnum('pipeline', PIPELINES);

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const plans = pgTable('plans', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  description: text('description').notNull(),
  maxUsers: integer('max_users').notNull(),
  storageQuotaMb: integer('storage_quota_mb').notNull(),
  createdAt: createdAt(),
});

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    plan: text('plan')
      .notNull()
      .references(() => plans.key),
    status: tenantStatus('status').notNull().default('provisioning'),
    adminEmail: text('admin_email').notNull(),
    createdBy: text('created_by').notNull(),
    /** Set while suspended: why staff suspended it. */
    suspensionReason: text('suspension_reason'),
    /** Set while failed: the pipeline and step that ran out of retries, and why. */
    failedPipeline: pipeline('failed_pipeline'),
    failedStep: text('failed_step'),
    failureReason: text('failure_reason'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    // A slug is unique among live tenants; a deleted tenant's slug may be taken again.
    uniqueIndex('tenants_live_slug_key')
      .on(t.slug)
      .where(sql`${t.status} <> 'deleted'`),
    index('tenants_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('tenants_status_idx').on(t.status, t.createdAt.desc()),
    index('tenants_plan_idx').on(t.plan, t.createdAt.desc()),
    // The console filters by status and plan together; without this, a rare combination
    // walks the whole created_at index looking for 50 matches.
    index('tenants_status_plan_idx').on(t.status, t.plan, t.createdAt.desc(), t.id.desc()),
  ],
);

export const RESOURCE_KINDS = ['database', 'role', 'storage', 'route', 'inbound_address'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** What the platform created for a tenant; the row outlives the resource for the audit trail. */
export const tenantResources = pgTable(
  'tenant_resources',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    kind: text('kind', { enum: RESOURCE_KINDS }).notNull(),
    name: text('name').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** Encrypted credential (the database role's password); never stored in plain text. */
    secret: text('secret'),
    state: text('state', { enum: ['present', 'removed'] }).notNull().default('present'),
    createdAt: createdAt(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.kind] })],
);

export const STEP_STATUSES = ['running', 'completed', 'failed'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One row per tenant, pipeline and step: the step's latest state, attempts and timings. */
export const stepRuns = pgTable(
  'step_runs',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    pipeline: pipeline('pipeline').notNull(),
    step: text('step').notNull(),
    position: integer('position').notNull(),
    status: text('status', { enum: STEP_STATUSES }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    firstStartedAt: timestamp('first_started_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    lastError: text('last_error'),
    lastErrorType: text('last_error_type'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.pipeline, t.step] })],
);

/** Append-only (a trigger refuses UPDATE and DELETE): every step transition and staff action. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    step: text('step'),
    outcome: text('outcome', { enum: ['succeeded', 'failed', 'started', 'requested'] }).notNull(),
    error: text('error'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_tenant_idx').on(t.tenantId, t.id)],
);

export const ROUTE_STATES = ['pending', 'published', 'revoked'] as const;
export type RouteState = (typeof ROUTE_STATES)[number];

export const routes = pgTable(
  'routes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    host: text('host').notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    state: text('state', { enum: ROUTE_STATES }).notNull().default('pending'),
    createdAt: createdAt(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('routes_live_host_key')
      .on(t.host)
      .where(sql`${t.state} <> 'revoked'`),
    index('routes_tenant_idx').on(t.tenantId),
  ],
);

export const inboundAddresses = pgTable(
  'inbound_addresses',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    address: text('address').notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    state: text('state', { enum: ['active', 'removed'] }).notNull().default('active'),
    createdAt: createdAt(),
    removedAt: timestamp('removed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('inbound_addresses_live_key')
      .on(t.address)
      .where(sql`${t.state} <> 'removed'`),
    index('inbound_addresses_tenant_idx').on(t.tenantId),
  ],
);

export const STAFF_ROLES = ['viewer', 'operator', 'admin', 'signup'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** People who sign in to the console. Passwords are stored only as scrypt hashes. */
export const staffAccounts = pgTable(
  'staff_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    passwordHash: text('password_hash').notNull(),
    createdAt: createdAt(),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('staff_accounts_email_key').on(t.email)],
);

/** Bearer tokens for machines (the signup backend) and scripts; only their sha256 is kept. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: text('role', { enum: STAFF_ROLES }).notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_hash_key').on(t.tokenHash), uniqueIndex('api_tokens_name_key').on(t.name)],
);

/** Console sign-ins: the cookie holds the token, the registry only its sha256. */
export const staffSessions = pgTable('staff_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  accountId: uuid('account_id')
    .notNull()
    .references(() => staffAccounts.id),
  createdAt: createdAt(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * A create request's answer, kept per credential and `Idempotency-Key` so that a retried
 * request gets the same answer instead of a second tenant. The row is inserted before the
 * work and completed in the same transaction, so a concurrent duplicate waits on it.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    credentialId: text('credential_id').notNull(),
    key: text('key').notNull(),
    /** sha256 of the method, path and canonical JSON body. */
    fingerprint: text('fingerprint').notNull(),
    responseStatus: integer('response_status'),
    /** The body exactly as sent, so a replay is byte for byte the same. */
    responseBody: text('response_body'),
    responseHeaders: jsonb('response_headers').$type<Record<string, string>>(),
    tenantId: uuid('tenant_id').references(() => tenants.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/**
 * Tenants whose workflow is still to be started: written in the same transaction as the
 * tenant's row, so the API answers without waiting for Temporal, and a tenant accepted
 * while Temporal is down is provisioned once it is back. Deleted once the start succeeds.
 */
export const workflowStarts = pgTable(
  'workflow_starts',
  {
    tenantId: uuid('tenant_id')
      .primaryKey()
      .references(() => tenants.id),
    /** The TenantIdentity the workflow is started with. */
    identity: jsonb('identity').$type<Record<string, string>>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    createdAt: createdAt(),
  },
  (t) => [index('workflow_starts_due_idx').on(t.nextAttemptAt)],
);
