import { readdirSync } from 'node:fs';
import { databaseNameOf } from '../../activities/naming';
import type { TestPlatform } from './platform';

/**
 * What really exists for a tenant, counted where each resource lives: the tenant server's
 * catalog, the storage root (staging leftovers included) and the registry's routing tables.
 */
export async function resourceCensus(platform: TestPlatform, tenantId: string) {
  const name = databaseNameOf(tenantId);
  const server = platform.context.tenantServer;
  const count = async (q: Promise<{ n: number }[]>) => Number((await q)[0]!.n);
  let entries: string[] = [];
  try {
    entries = readdirSync(platform.context.storageRoot);
  } catch {
    entries = [];
  }
  return {
    databases: await count(server`SELECT count(*)::int AS n FROM pg_database WHERE datname = ${name}`),
    roles: await count(server`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = ${name}`),
    directories: entries.filter((e) => e.includes(tenantId)).length,
    liveRoutes: await count(platform.sql`SELECT count(*)::int AS n FROM routes WHERE tenant_id = ${tenantId} AND state <> 'revoked'`),
    routes: await count(platform.sql`SELECT count(*)::int AS n FROM routes WHERE tenant_id = ${tenantId}`),
    liveAddresses: await count(platform.sql`SELECT count(*)::int AS n FROM inbound_addresses WHERE tenant_id = ${tenantId} AND state <> 'removed'`),
    addresses: await count(platform.sql`SELECT count(*)::int AS n FROM inbound_addresses WHERE tenant_id = ${tenantId}`),
  };
}

export const FULLY_PROVISIONED = { databases: 1, roles: 1, directories: 1, liveRoutes: 1, routes: 1, liveAddresses: 1, addresses: 1 };

/** After teardown: nothing live; the registry keeps at most one revoked route and one removed address as history. */
export function assertTornDown(census: Awaited<ReturnType<typeof resourceCensus>>): void {
  const live = { databases: census.databases, roles: census.roles, directories: census.directories, liveRoutes: census.liveRoutes, liveAddresses: census.liveAddresses };
  const expected = { databases: 0, roles: 0, directories: 0, liveRoutes: 0, liveAddresses: 0 };
  if (JSON.stringify(live) !== JSON.stringify(expected) || census.routes > 1 || census.addresses > 1) {
    throw new Error(`resources left behind: ${JSON.stringify(census)}`);
  }
}
