import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type postgres from 'postgres';
import type { TenantResourceRow } from './tenant-queries';

/** What a tenant uses against its plan's limits, measured where the resources live. */
export interface TenantUsage {
  /** Bytes under the tenant's storage directory; null when there is none (or it cannot be read). */
  storageBytes: number | null;
  /** Size of the tenant's database; null when it is gone or this connection may not see it. */
  databaseBytes: number | null;
  storageQuotaBytes: number;
  maxUsers: number;
  measuredAt: Date;
}

type RegisteredResource = Pick<TenantResourceRow, 'kind' | 'name' | 'state' | 'details'>;

/** Stops a pathological tree from making one detail request slow; beyond it the figure is a lower bound. */
const MAX_ENTRIES_WALKED = 100_000;

/**
 * Measures only what the registry says is present, and fails soft: a resource removed
 * behind the platform's back reads as null rather than failing the whole detail view.
 * The registry connection measures the database, which works when the tenant databases
 * share its server and it may see them (a superuser, or pg_read_all_stats).
 */
export async function tenantUsage(
  sql: postgres.Sql,
  tenantId: string,
  resources: readonly RegisteredResource[],
  plan: { maxUsers: number; storageQuotaMb: number },
): Promise<TenantUsage> {
  const present = (kind: string) => resources.find((r) => r.kind === kind && r.state === 'present');
  const storage = present('storage');
  const database = present('database');
  const [storageBytes, databaseBytes] = await Promise.all([
    storage ? storageBytesOf(storageDirectoryOf(storage, tenantId)) : null,
    database ? databaseBytesOf(sql, database.name) : null,
  ]);
  return {
    storageBytes,
    databaseBytes,
    storageQuotaBytes: plan.storageQuotaMb * 1024 * 1024,
    maxUsers: plan.maxUsers,
    measuredAt: new Date(),
  };
}

/** The directory the storage step recorded; only one named after the tenant id is measured. */
function storageDirectoryOf(resource: RegisteredResource, tenantId: string): string | null {
  const dir = resource.details.path;
  return typeof dir === 'string' && path.isAbsolute(dir) && path.basename(dir) === tenantId ? dir : null;
}

async function storageBytesOf(dir: string | null): Promise<number | null> {
  if (!dir) return null;
  try {
    if (!(await lstat(dir)).isDirectory()) return null;
  } catch {
    return null;
  }
  let total = 0;
  let walked = 0;
  const pending = [dir];
  while (pending.length > 0 && walked < MAX_ENTRIES_WALKED) {
    const current = pending.pop()!;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      walked += 1;
      const full = path.join(current, entry.name);
      // Symbolic links are not followed: they could lead outside the tenant's directory.
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) total += await lstat(full).then((s) => s.size, () => 0);
    }
  }
  return total;
}

async function databaseBytesOf(sql: postgres.Sql, name: string): Promise<number | null> {
  try {
    const [row] = await sql<{ bytes: string }[]>`SELECT pg_database_size(oid)::text AS bytes FROM pg_database WHERE datname = ${name}`;
    return row ? Number(row.bytes) : null;
  } catch {
    return null; // no privilege to measure it: unknown, not an error
  }
}
