import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { databaseNameOf, ownershipMarkOf } from '../naming';
import { inspectDatabase, inspectRole } from '../tenant-database';
import { quoteIdent } from '../../db/registry/connect';

/**
 * Delete the database and its role, if they exist and are the tenant's. `WITH (FORCE)`
 * ends open sessions (the gateway's, a stuck client's) that would otherwise block the drop.
 */
export const dropDatabase: Step = {
  name: 'dropDatabase',
  async apply(ctx, tenant) {
    const name = databaseNameOf(tenant.tenantId);
    const mark = ownershipMarkOf(tenant.tenantId);
    const server = ctx.tenantServer;

    const database = await inspectDatabase(server, name);
    if (database) {
      if (database.owner !== name && database.comment !== mark) {
        throw resourceConflict(`database ${name} does not belong to tenant ${tenant.tenantId}; refusing to drop it`);
      }
      await server.unsafe(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
    const role = await inspectRole(server, name);
    if (role) {
      if (role.comment !== mark) throw resourceConflict(`role ${name} does not belong to tenant ${tenant.tenantId}; refusing to drop it`);
      await server.unsafe(`DROP ROLE IF EXISTS ${quoteIdent(name)}`);
    }
    await ctx.registry.sql`UPDATE tenant_resources SET state = 'removed', removed_at = coalesce(removed_at, now())
                           WHERE tenant_id = ${tenant.tenantId} AND kind IN ('database', 'role')`;
  },
};
