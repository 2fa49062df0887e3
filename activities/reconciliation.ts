import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type postgres from 'postgres';
import type { TenantStatus } from '../workflows/contract';
import { ownershipMarkOf } from './naming';
import { inspectStorage } from './storage-directory';

/**
 * Compares the resources that really exist (databases and roles on the tenant server,
 * directories under the storage root, live routes and inbound addresses) with the
 * registry's tenants, and lists every disagreement: resources that belong to no live
 * tenant, and tenants missing a resource their status requires. It only reads; fixing
 * a finding is a staff decision (retry, de-provision, or drop by hand).
 */
export interface ReconciliationSources {
  registry: postgres.Sql;
  /** Superuser connection to the server that hosts tenant databases. */
  tenantServer: postgres.Sql;
  storageRoot: string;
}

export type ResourceType = 'database' | 'role' | 'storage' | 'route' | 'inbound_address';
export const RESOURCE_TYPES: readonly ResourceType[] = ['database', 'role', 'storage', 'route', 'inbound_address'];

export interface Finding {
  /**
   * orphan: exists, but its tenant is unknown or deleted; unmarked: named like a tenant's
   * resource but without the tenant's ownership mark; missing: the tenant's status needs
   * it and it is not there; duplicate: more than one where there must be one.
   */
  problem: 'orphan' | 'unmarked' | 'missing' | 'duplicate';
  resource: ResourceType;
  /** Database or role name, directory path, host or address; null for a missing one. */
  name: string | null;
  tenantId: string | null;
  tenantStatus: TenantStatus | null;
  reason: string;
}

export interface ReconciliationReport {
  checkedAt: string;
  clean: boolean;
  scanned: { tenants: number; databases: number; roles: number; directories: number; routes: number; inboundAddresses: number };
  findings: Finding[];
}

/** Statuses in which every resource must exist. In the others resources come and go. */
const FULLY_PROVISIONED: readonly TenantStatus[] = ['active', 'suspended'];

const TENANT_OBJECT_NAME = /^t_([0-9a-f]{32})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STAGING = /^\.staging-([0-9a-f-]{36})-[0-9a-f]+$/;

function tenantIdOfObject(name: string): string | null {
  const hex = TENANT_OBJECT_NAME.exec(name)?.[1];
  return hex ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
}

interface TenantLine {
  id: string;
  slug: string;
  status: TenantStatus;
}

export async function reconcile(src: ReconciliationSources): Promise<ReconciliationReport> {
  const [tenantRows, databases, roles, routes, addresses, entries] = await Promise.all([
    src.registry<TenantLine[]>`SELECT id, slug, status FROM tenants`,
    src.tenantServer<{ name: string; comment: string | null }[]>`
      SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database
      WHERE datname ~ '^t_[0-9a-f]{32}$' OR shobj_description(oid, 'pg_database') LIKE 'actionconnect-tenant:%'`,
    src.tenantServer<{ name: string; comment: string | null }[]>`
      SELECT rolname AS name, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles
      WHERE rolname ~ '^t_[0-9a-f]{32}$' OR shobj_description(oid, 'pg_authid') LIKE 'actionconnect-tenant:%'`,
    src.registry<{ name: string; tenantId: string; state: string }[]>`
      SELECT host AS name, tenant_id AS "tenantId", state FROM routes WHERE state <> 'revoked'`,
    src.registry<{ name: string; tenantId: string }[]>`
      SELECT address AS name, tenant_id AS "tenantId" FROM inbound_addresses WHERE state <> 'removed'`,
    readdir(src.storageRoot).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    }),
  ]);
  const tenants = new Map(tenantRows.map((t) => [t.id, t]));
  const findings: Finding[] = [];
  const present: Record<ResourceType, Map<string, string[]>> = {
    database: new Map(),
    role: new Map(),
    storage: new Map(),
    route: new Map(),
    inbound_address: new Map(),
  };
  const note = (resource: ResourceType, tenantId: string, name: string) => {
    const names = present[resource].get(tenantId) ?? [];
    names.push(name);
    present[resource].set(tenantId, names);
  };

  /** A resource of `tenantId` that exists: fine unless its tenant is unknown or deleted. */
  const checkOwner = (resource: ResourceType, name: string, tenantId: string | null): boolean => {
    const tenant = tenantId ? tenants.get(tenantId) : undefined;
    if (!tenant) {
      findings.push({ problem: 'orphan', resource, name, tenantId, tenantStatus: null, reason: 'no tenant has this id' });
      return false;
    }
    if (tenant.status === 'deleted') {
      findings.push({ problem: 'orphan', resource, name, tenantId, tenantStatus: tenant.status, reason: 'its tenant is deleted' });
      return false;
    }
    return true;
  };

  for (const [resource, objects] of [
    ['database', databases],
    ['role', roles],
  ] as const) {
    for (const { name, comment } of objects) {
      const tenantId = tenantIdOfObject(name) ?? comment?.replace('actionconnect-tenant:', '') ?? null;
      if (!tenantId || comment !== ownershipMarkOf(tenantId) || tenantIdOfObject(name) !== tenantId) {
        findings.push({ problem: 'unmarked', resource, name, tenantId, tenantStatus: (tenantId && tenants.get(tenantId)?.status) || null, reason: `named like a tenant's ${resource} but its comment is ${JSON.stringify(comment)}` });
        continue;
      }
      if (checkOwner(resource, name, tenantId)) note(resource, tenantId, name);
    }
  }

  for (const entry of entries) {
    const dir = path.join(src.storageRoot, entry);
    const staging = STAGING.exec(entry)?.[1];
    if (staging) {
      // In flight while its tenant provisions; afterwards the leftover of an interrupted attempt.
      if (tenants.get(staging)?.status !== 'provisioning') {
        findings.push({ problem: 'orphan', resource: 'storage', name: dir, tenantId: staging, tenantStatus: tenants.get(staging)?.status ?? null, reason: 'staging leftover of an interrupted storage step' });
      }
      continue;
    }
    if (!UUID.test(entry)) {
      findings.push({ problem: 'orphan', resource: 'storage', name: dir, tenantId: null, tenantStatus: null, reason: 'not a tenant directory' });
      continue;
    }
    if ((await inspectStorage(src.storageRoot, entry)) !== 'ours') {
      findings.push({ problem: 'unmarked', resource: 'storage', name: dir, tenantId: entry, tenantStatus: tenants.get(entry)?.status ?? null, reason: 'has no marker file of this tenant' });
      continue;
    }
    if (checkOwner('storage', dir, entry)) note('storage', entry, dir);
  }

  for (const route of routes) {
    if (checkOwner('route', route.name, route.tenantId)) note('route', route.tenantId, route.name);
  }
  for (const address of addresses) {
    if (checkOwner('inbound_address', address.name, address.tenantId)) note('inbound_address', address.tenantId, address.name);
  }

  const publishedRoutes = new Set(routes.filter((r) => r.state === 'published').map((r) => r.tenantId));
  for (const tenant of tenants.values()) {
    for (const resource of RESOURCE_TYPES) {
      const names = present[resource].get(tenant.id) ?? [];
      if (names.length > 1) {
        findings.push({ problem: 'duplicate', resource, name: names.join(', '), tenantId: tenant.id, tenantStatus: tenant.status, reason: `${names.length} where there must be one` });
      }
      if (!FULLY_PROVISIONED.includes(tenant.status)) continue;
      if (names.length === 0) {
        findings.push({ problem: 'missing', resource, name: null, tenantId: tenant.id, tenantStatus: tenant.status, reason: `the tenant is ${tenant.status} and needs its ${resource.replace('_', ' ')}` });
      } else if (resource === 'route' && !publishedRoutes.has(tenant.id)) {
        findings.push({ problem: 'missing', resource, name: names[0]!, tenantId: tenant.id, tenantStatus: tenant.status, reason: `the tenant is ${tenant.status} and its route is not published` });
      }
    }
  }

  findings.sort((a, b) => `${a.problem}|${a.resource}|${a.tenantId}|${a.name}`.localeCompare(`${b.problem}|${b.resource}|${b.tenantId}|${b.name}`));
  return {
    checkedAt: new Date().toISOString(),
    clean: findings.length === 0,
    scanned: {
      tenants: tenants.size,
      databases: databases.length,
      roles: roles.length,
      directories: entries.length,
      routes: routes.length,
      inboundAddresses: addresses.length,
    },
    findings,
  };
}
