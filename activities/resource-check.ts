import type { StepContext } from './context';
import { databaseNameOf } from './naming';
import { inspectDatabase, inspectRole } from './tenant-database';
import { inspectStorage } from './storage-directory';

export interface ResourcePresence {
  database: boolean;
  role: boolean;
  storage: boolean;
  route: boolean;
  inboundAddress: boolean;
}

/** What of a tenant's resources really exists, looked up where each lives, not in the registry's bookkeeping. */
export async function inspectTenantResources(ctx: StepContext, tenantId: string): Promise<ResourcePresence> {
  const name = databaseNameOf(tenantId);
  const [route] = await ctx.registry.sql`SELECT 1 FROM routes WHERE tenant_id = ${tenantId} AND state <> 'revoked' LIMIT 1`;
  const [address] = await ctx.registry.sql`SELECT 1 FROM inbound_addresses WHERE tenant_id = ${tenantId} AND state <> 'removed' LIMIT 1`;
  return {
    database: (await inspectDatabase(ctx.tenantServer, name)) !== null,
    role: (await inspectRole(ctx.tenantServer, name)) !== null,
    storage: (await inspectStorage(ctx.storageRoot, tenantId)) !== 'absent',
    route: route !== undefined,
    inboundAddress: address !== undefined,
  };
}
