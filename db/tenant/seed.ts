import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import type postgres from 'postgres';
import { z } from 'zod';
import { withTenantDb } from './migrate';
import {
  automations,
  emailTemplates,
  forms,
  invitations,
  kbArticles,
  kbCategories,
  permissions,
  projects,
  projectViews,
  rolePermissions,
  roles,
  settings,
  ticketPriorities,
  ticketStatuses,
  userRoles,
  users,
} from './schema';

export interface SeedTenantInput {
  tenantName: string;
  slug: string;
  adminEmail: string;
  supportAddress: string;
  /**
   * The admin's invitation token. The platform derives it from the tenant id with a secret
   * key, so a retry after a crash can send the same invitation again; random when unset.
   */
  invitationToken?: string;
  /** Clock for timestamps the seed sets itself (invitation expiry, publish date); tests pin it. */
  now?: Date;
}

export interface SeedTenantResult {
  /**
   * The admin's raw invitation token, returned only by the call that created the invitation
   * (null on every re-run). Only its sha256 is stored, so this is the one chance to send it.
   */
  invitationToken: string | null;
}

export const ADMIN_ROLE_KEY = 'admin';
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** sha256 hex of an invitation token: what `invitations.token_hash` holds. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Seeds the product defaults from ./seed-data into a migrated tenant database.
 *
 * Every row goes in by its natural key with ON CONFLICT DO NOTHING, all in one transaction,
 * so a retried or repeated seed changes nothing and a failed one leaves nothing behind. It
 * also means rows the tenant has since edited are left alone; a removed default comes back,
 * which is acceptable because the seed only runs during provisioning.
 */
export async function seedTenantDatabase(sql: postgres.Sql, input: SeedTenantInput): Promise<SeedTenantResult> {
  const { tenantName, slug, adminEmail, supportAddress, now = new Date() } = seedInputSchema.parse(input);
  const data = await loadSeedData();
  const settingsRows = data.settings.map((s) => ({
    key: s.key,
    value: fillPlaceholders(s.value, { tenantName, slug, supportAddress }),
  }));

  return withTenantDb(sql, (db) =>
    db.transaction(async (tx) => {
      await tx
        .insert(permissions)
        .values(data.permissions)
        .onConflictDoNothing({ target: permissions.key });
      await tx
        .insert(roles)
        .values(data.roles.map(({ key, name, description }) => ({ key, name, description, isSystem: true })))
        .onConflictDoNothing({ target: roles.key });

      // Looked up rather than taken from RETURNING: on a re-run the inserts return nothing.
      const roleIds = idsByKey(await tx.select({ key: roles.key, id: roles.id }).from(roles));
      const permissionIds = idsByKey(await tx.select({ key: permissions.key, id: permissions.id }).from(permissions));
      await tx
        .insert(rolePermissions)
        .values(
          data.roles.flatMap((role) =>
            role.permissions.map((permission) => ({
              roleId: need(roleIds, role.key),
              permissionId: need(permissionIds, permission),
            })),
          ),
        )
        .onConflictDoNothing();

      await tx.insert(ticketStatuses).values(data.ticketStatuses).onConflictDoNothing({ target: ticketStatuses.key });
      await tx
        .insert(ticketPriorities)
        .values(data.ticketPriorities)
        .onConflictDoNothing({ target: ticketPriorities.key });
      await tx.insert(emailTemplates).values(data.emailTemplates).onConflictDoNothing({ target: emailTemplates.key });
      await tx.insert(settings).values(settingsRows).onConflictDoNothing({ target: settings.key });

      await tx
        .insert(kbCategories)
        .values(data.knowledgeBase.map(({ articles: _articles, ...category }) => category))
        .onConflictDoNothing({ target: kbCategories.slug });
      const categoryIds = idsByKey(
        await tx
          .select({ key: kbCategories.slug, id: kbCategories.id })
          .from(kbCategories)
          .where(inArray(kbCategories.slug, data.knowledgeBase.map((c) => c.slug))),
      );
      const articleRows = data.knowledgeBase.flatMap((category) =>
        category.articles.map((article) => ({
          ...article,
          categoryId: need(categoryIds, category.slug),
          publishedAt: article.status === 'published' ? now : null,
        })),
      );
      if (articleRows.length) await tx.insert(kbArticles).values(articleRows).onConflictDoNothing({ target: kbArticles.slug });

      await tx
        .insert(projects)
        .values(data.projects.map(({ views: _views, ...project }) => project))
        .onConflictDoNothing({ target: projects.slug });
      const projectIds = idsByKey(
        await tx
          .select({ key: projects.slug, id: projects.id })
          .from(projects)
          .where(inArray(projects.slug, data.projects.map((p) => p.slug))),
      );
      const viewRows = data.projects.flatMap((project) =>
        project.views.map((view) => ({ ...view, projectId: need(projectIds, project.slug) })),
      );
      if (viewRows.length) {
        await tx
          .insert(projectViews)
          .values(viewRows)
          .onConflictDoNothing({ target: [projectViews.projectId, projectViews.key] });
      }

      await tx.insert(automations).values(data.automations).onConflictDoNothing({ target: automations.key });
      await tx.insert(forms).values(data.forms).onConflictDoNothing({ target: forms.slug });

      // The admin: no password, only an invitation. The row lock serialises two seeds that
      // overlap (a retry racing a slow attempt), so exactly one of them creates the invitation.
      await tx
        .insert(users)
        .values({ email: adminEmail, status: 'invited', createdAt: now, updatedAt: now })
        .onConflictDoNothing({ target: users.email });
      const [admin] = await tx.select({ id: users.id }).from(users).where(eq(users.email, adminEmail)).for('update');
      if (!admin) throw new Error('admin user missing right after its insert');
      await tx
        .insert(userRoles)
        .values({ userId: admin.id, roleId: need(roleIds, ADMIN_ROLE_KEY) })
        .onConflictDoNothing();

      const [existing] = await tx.select({ id: invitations.id }).from(invitations).where(eq(invitations.userId, admin.id)).limit(1);
      if (existing) return { invitationToken: null };
      const invitationToken = input.invitationToken ?? randomBytes(32).toString('base64url');
      await tx.insert(invitations).values({
        userId: admin.id,
        tokenHash: hashInvitationToken(invitationToken),
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        createdAt: now,
      });
      return { invitationToken };
    }),
  );
}

const seedInputSchema = z.object({
  tenantName: z.string().trim().min(1).max(200),
  slug: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'slug must be lower-case words joined by hyphens'),
  // Stored lower-cased: users.email is unique and must equal lower(email).
  adminEmail: z.email().transform((e) => e.toLowerCase()),
  supportAddress: z.email(),
  now: z.date().optional(),
});

function idsByKey(rows: { key: string; id: string }[]): Map<string, string> {
  return new Map(rows.map((r) => [r.key, r.id]));
}

function need(ids: Map<string, string>, key: string): string {
  const id = ids.get(key);
  if (!id) throw new Error(`seed: no row with key "${key}"`);
  return id;
}

/**
 * Replaces {{name}} in every string of a settings value. Only settings are filled here;
 * email templates keep their placeholders for the mailer. An unknown name is an error so a
 * typo in a data file cannot reach a tenant as literal braces.
 */
function fillPlaceholders(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
      const replacement = vars[name];
      if (replacement === undefined) throw new Error(`seed-data/settings.json: unknown placeholder {{${name}}}`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, vars)]));
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Seed data files, validated once per process so a bad edit fails loudly and early.
// ---------------------------------------------------------------------------------------

const SEED_DATA_DIR = path.join(__dirname, 'seed-data');

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);
const color = z.string().regex(/^#[0-9a-f]{6}$/);
const jsonObject = z.record(z.string(), z.unknown());

const seedFiles = {
  permissions: z.array(z.object({ key: z.string().regex(/^[a-z]+\.[a-z]+$/), description: z.string() })),
  roles: z.array(
    z.object({ key: slug, name: z.string(), description: z.string(), permissions: z.array(z.string()).min(1) }),
  ),
  ticketStatuses: z.array(
    z.object({ key: slug, name: z.string(), color, position: z.int(), isClosed: z.boolean(), isDefault: z.boolean() }),
  ),
  ticketPriorities: z.array(z.object({ key: slug, name: z.string(), color, rank: z.int(), isDefault: z.boolean() })),
  emailTemplates: z.array(z.object({ key: slug, name: z.string(), subject: z.string(), body: z.string() })),
  settings: z.array(z.object({ key: z.string(), value: z.unknown() })),
  knowledgeBase: z.array(
    z.object({
      slug,
      name: z.string(),
      description: z.string(),
      position: z.int(),
      articles: z.array(
        z.object({ slug, title: z.string(), body: z.string(), status: z.enum(['draft', 'published']) }),
      ),
    }),
  ),
  projects: z.array(
    z.object({
      slug,
      name: z.string(),
      description: z.string(),
      views: z.array(
        z.object({
          key: slug,
          name: z.string(),
          type: z.enum(['board', 'list', 'calendar']),
          position: z.int(),
          config: jsonObject,
        }),
      ),
    }),
  ),
  automations: z.array(
    z.object({
      key: slug,
      name: z.string(),
      triggerEvent: z.string(),
      conditions: z.array(jsonObject),
      actions: z.array(jsonObject).min(1),
      enabled: z.boolean(),
      position: z.int(),
    }),
  ),
  forms: z.array(
    z.object({
      slug,
      name: z.string(),
      description: z.string(),
      enabled: z.boolean(),
      fields: z
        .array(
          z.object({
            key: z.string(),
            label: z.string(),
            type: z.enum(['text', 'textarea', 'email', 'select', 'checkbox', 'file']),
            required: z.boolean(),
            options: z.array(z.string()).optional(),
          }),
        )
        .min(1),
    }),
  ),
};

type SeedData = { [K in keyof typeof seedFiles]: z.infer<(typeof seedFiles)[K]> };

const FILE_NAMES: Record<keyof SeedData, string> = {
  permissions: 'permissions.json',
  roles: 'roles.json',
  ticketStatuses: 'ticket-statuses.json',
  ticketPriorities: 'ticket-priorities.json',
  emailTemplates: 'email-templates.json',
  settings: 'settings.json',
  knowledgeBase: 'knowledge-base.json',
  projects: 'projects.json',
  automations: 'automations.json',
  forms: 'forms.json',
};

let seedData: Promise<SeedData> | undefined;

export function loadSeedData(): Promise<SeedData> {
  seedData ??= readSeedData().catch((err: unknown) => {
    seedData = undefined; // let a later call retry after the file is fixed
    throw err;
  });
  return seedData;
}

async function readSeedData(): Promise<SeedData> {
  const entries = await Promise.all(
    (Object.keys(FILE_NAMES) as (keyof SeedData)[]).map(async (name) => {
      const file = FILE_NAMES[name];
      let json: unknown;
      try {
        json = JSON.parse(await readFile(path.join(SEED_DATA_DIR, file), 'utf8'));
      } catch (err) {
        throw new Error(`seed-data/${file}: ${(err as Error).message}`);
      }
      const parsed = seedFiles[name].safeParse(json);
      if (!parsed.success) throw new Error(`seed-data/${file}: ${z.prettifyError(parsed.error)}`);
      return [name, parsed.data] as const;
    }),
  );
  const data = Object.fromEntries(entries) as SeedData;

  const knownPermissions = new Set(data.permissions.map((p) => p.key));
  for (const role of data.roles) {
    for (const p of role.permissions) {
      if (!knownPermissions.has(p)) throw new Error(`seed-data/roles.json: role ${role.key} names unknown permission ${p}`);
    }
  }
  if (!data.roles.some((r) => r.key === ADMIN_ROLE_KEY)) throw new Error(`seed-data/roles.json: no "${ADMIN_ROLE_KEY}" role`);
  for (const [file, rows] of [['ticket-statuses.json', data.ticketStatuses], ['ticket-priorities.json', data.ticketPriorities]] as const) {
    if (rows.filter((r) => r.isDefault).length !== 1) throw new Error(`seed-data/${file}: exactly one row must be the default`);
  }
  return data;
}
