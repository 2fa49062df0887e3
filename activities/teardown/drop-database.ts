import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { databaseNameOf } from '../naming';
import { inspectOwnership } from '../tenant-database';
import { quoteIdent } from '../../db/registry/connect';

/**
 * Delete the database and its role, if they exist and are the tenant's. `WITH (FORCE)`
 * ends open sessions (the gateway's, a stuck client's) that would otherwise block the drop.
 */
export const dropDatabase: Step = {
  name: 'dropDatabase',
  async apply(ctx, tenant) {
    const name = databaseNameOf(tenant.tenantId);
    const server = ctx.tenantServer;
    // Both are judged before either is touched: a foreign role means nothing is dropped.
    const ownership = await inspectOwnership(server, tenant.tenantId);
    if (ownership.database === 'foreign') {
      throw resourceConflict(`database ${name} does not belong to tenant ${tenant.tenantId}; refusing to drop it`);
    }
    if (ownership.role === 'foreign') {
      throw resourceConflict(`role ${name} does not belong to tenant ${tenant.tenantId}; refusing to drop it`);
    }
    if (ownership.database === 'ours') await server.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    if (ownership.role === 'ours') await server.unsafe(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
    await ctx.registry.sql`UPDATE tenant_resources SET state = 'removed', removed_at = coalesce(removed_at, now())
                           WHERE tenant_id = ${tenant.tenantId} AND kind IN ('database', 'role')`;
  },
};
