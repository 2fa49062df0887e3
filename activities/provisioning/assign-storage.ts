import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { storageDirOf } from '../naming';
import { createStorage, inspectStorage, removeStagingLeftovers } from '../storage-directory';

/** Storage: the tenant's directory under the storage root, marked as the tenant's. */
export const assignStorage: Step = {
  name: 'storage',
  async apply(ctx, tenant) {
    const dir = storageDirOf(ctx.storageRoot, tenant.tenantId);
    if ((await inspectStorage(ctx.storageRoot, tenant.tenantId)) === 'absent') await createStorage(ctx.storageRoot, tenant.tenantId);
    if ((await inspectStorage(ctx.storageRoot, tenant.tenantId)) !== 'ours') {
      throw resourceConflict(`storage directory ${dir} exists and does not belong to tenant ${tenant.tenantId}`);
    }
    await removeStagingLeftovers(ctx.storageRoot, tenant.tenantId);
    await ctx.registry.sql`
      INSERT INTO tenant_resources (tenant_id, kind, name, details, state)
      VALUES (${tenant.tenantId}, 'storage', ${dir}, ${ctx.registry.sql.json({ path: dir })}, 'present')
      ON CONFLICT (tenant_id, kind) DO UPDATE SET state = 'present', removed_at = NULL`;
  },
};
