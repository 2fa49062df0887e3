/**
 * The product database each tenant gets (one PostgreSQL database per tenant, public schema).
 *
 * Conventions:
 * - Every table the seed fills has a natural unique key (key, slug, email, or a composite
 *   primary key), so seeding is `INSERT ... ON CONFLICT DO NOTHING` and running it twice
 *   changes nothing.
 * - uuid keys come from `gen_random_uuid()`, which is core PostgreSQL (13+): migrations run
 *   as the tenant's own login role, which may not create extensions.
 * - Small vocabularies are `text` plus a CHECK rather than enum types, so adding a value
 *   later is a constraint swap instead of `ALTER TYPE` outside a transaction.
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

const HEX_COLOR = sql.raw(`'^#[0-9a-f]{6}$'`);
const SLUG = sql.raw(`'^[a-z0-9]+(-[a-z0-9]+)*$'`);

// ---------------------------------------------------------------------------------------
// People and access
// ---------------------------------------------------------------------------------------

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name'),
    status: text('status', { enum: ['invited', 'active', 'disabled'] }).notNull().default('invited'),
    // Set only when the user accepts an invitation and chooses a password; never seeded.
    passwordHash: text('password_hash'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('users_email_unique').on(t.email),
    // Emails are stored lower-cased so a plain unique column (usable as an ON CONFLICT
    // target) is also case-insensitive; no citext extension needed.
    check('users_email_lowercase', sql`${t.email} = lower(${t.email})`),
    check('users_status_valid', sql`${t.status} in ('invited', 'active', 'disabled')`),
  ],
);

export const roles = pgTable('roles', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique('roles_key_unique'),
  name: text('name').notNull(),
  description: text('description'),
  // Built-in roles may be renamed but not deleted by the product.
  isSystem: boolean('is_system').notNull().default(false),
  createdAt: createdAt(),
});

export const permissions = pgTable('permissions', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique('permissions_key_unique'),
  description: text('description').notNull(),
});

export const rolePermissions = pgTable(
  'role_permissions',
  {
    roleId: uuid('role_id')
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
    permissionId: uuid('permission_id')
      .notNull()
      .references(() => permissions.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ name: 'role_permissions_pk', columns: [t.roleId, t.permissionId] }),
    index('role_permissions_permission_idx').on(t.permissionId),
  ],
);

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleId: uuid('role_id')
      .notNull()
      // A role still held by someone must be reassigned before it can go.
      .references(() => roles.id, { onDelete: 'restrict' }),
  },
  (t) => [
    primaryKey({ name: 'user_roles_pk', columns: [t.userId, t.roleId] }),
    index('user_roles_role_idx').on(t.roleId),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    // sha256 of the emailed token, hex. The raw token is never stored, so a leaked
    // database dump cannot be used to accept an invitation.
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    unique('invitations_token_hash_unique').on(t.tokenHash),
    index('invitations_user_idx').on(t.userId),
    check('invitations_token_hash_sha256_hex', sql`${t.tokenHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

// ---------------------------------------------------------------------------------------
// Tickets
// ---------------------------------------------------------------------------------------

export const ticketStatuses = pgTable(
  'ticket_statuses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    color: text('color').notNull(),
    position: integer('position').notNull(),
    // Whether tickets in this status count as done (SLA clocks stop, views hide them).
    isClosed: boolean('is_closed').notNull().default(false),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    unique('ticket_statuses_key_unique').on(t.key),
    // New tickets take the default, so there must never be two.
    uniqueIndex('ticket_statuses_single_default').on(t.isDefault).where(sql`${t.isDefault}`),
    check('ticket_statuses_key_slug', sql`${t.key} ~ ${SLUG}`),
    check('ticket_statuses_color_hex', sql`${t.color} ~ ${HEX_COLOR}`),
  ],
);

export const ticketPriorities = pgTable(
  'ticket_priorities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    color: text('color').notNull(),
    // Higher is more urgent; sorting uses this, never the name.
    rank: integer('rank').notNull(),
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    unique('ticket_priorities_key_unique').on(t.key),
    uniqueIndex('ticket_priorities_single_default').on(t.isDefault).where(sql`${t.isDefault}`),
    check('ticket_priorities_key_slug', sql`${t.key} ~ ${SLUG}`),
    check('ticket_priorities_color_hex', sql`${t.color} ~ ${HEX_COLOR}`),
  ],
);

export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // The human-facing "#1042"; uuid stays the stable key.
    number: integer('number').notNull().generatedAlwaysAsIdentity(),
    subject: text('subject').notNull(),
    description: text('description'),
    requesterEmail: text('requester_email').notNull(),
    statusId: uuid('status_id')
      .notNull()
      .references(() => ticketStatuses.id, { onDelete: 'restrict' }),
    priorityId: uuid('priority_id')
      .notNull()
      .references(() => ticketPriorities.id, { onDelete: 'restrict' }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('tickets_number_unique').on(t.number),
    index('tickets_status_idx').on(t.statusId),
    index('tickets_priority_idx').on(t.priorityId),
    index('tickets_assignee_idx').on(t.assigneeId),
  ],
);

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

export const emailTemplates = pgTable('email_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  key: text('key').notNull().unique('email_templates_key_unique'),
  name: text('name').notNull(),
  // Both use {{dotted.placeholders}}, rendered when the mail is sent.
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Tenant-wide settings, one JSON document per key (organization, support, branding, business_hours). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').$type<unknown>().notNull(),
  updatedAt: updatedAt(),
});

// ---------------------------------------------------------------------------------------
// Knowledge base
// ---------------------------------------------------------------------------------------

export const kbCategories = pgTable(
  'kb_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [unique('kb_categories_slug_unique').on(t.slug), check('kb_categories_slug_valid', sql`${t.slug} ~ ${SLUG}`)],
);

export const kbArticles = pgTable(
  'kb_articles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    categoryId: uuid('category_id')
      .notNull()
      .references(() => kbCategories.id, { onDelete: 'restrict' }),
    // Unique across the knowledge base, not per category, so an article keeps its URL
    // when it moves between categories.
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['draft', 'published'] }).notNull().default('draft'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('kb_articles_slug_unique').on(t.slug),
    index('kb_articles_category_idx').on(t.categoryId),
    check('kb_articles_slug_valid', sql`${t.slug} ~ ${SLUG}`),
    check('kb_articles_status_valid', sql`${t.status} in ('draft', 'published')`),
  ],
);

// ---------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('projects_slug_unique').on(t.slug), check('projects_slug_valid', sql`${t.slug} ~ ${SLUG}`)],
);

export const projectViews = pgTable(
  'project_views',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: ['board', 'list', 'calendar'] }).notNull(),
    position: integer('position').notNull().default(0),
    // Type-specific layout (grouping, columns, date field); the product owns its shape.
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    unique('project_views_project_key_unique').on(t.projectId, t.key),
    check('project_views_type_valid', sql`${t.type} in ('board', 'list', 'calendar')`),
  ],
);

// ---------------------------------------------------------------------------------------
// Automations and forms
// ---------------------------------------------------------------------------------------

export const automations = pgTable(
  'automations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    // Domain event that starts the automation, e.g. `ticket.created`.
    triggerEvent: text('trigger_event').notNull(),
    conditions: jsonb('conditions').$type<unknown[]>().notNull().default([]),
    actions: jsonb('actions').$type<unknown[]>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('automations_key_unique').on(t.key), index('automations_trigger_idx').on(t.triggerEvent)],
);

export const forms = pgTable(
  'forms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    // Ordered field definitions ({ key, label, type, required, ... }).
    fields: jsonb('fields').$type<unknown[]>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('forms_slug_unique').on(t.slug), check('forms_slug_valid', sql`${t.slug} ~ ${SLUG}`)],
);
