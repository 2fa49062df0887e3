import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { storageDirOf } from '../naming';
import { inspectStorage, removeStorage } from '../storage-directory';

/** Delete stored files: only a directory carrying this tenant's marker is removed. */
export const deleteStorage: Step = {
  name: 'deleteStorage',
  async apply(ctx, tenant) {
    const ownership = await inspectStorage(ctx.storageRoot, tenant.tenantId);
    if (ownership === 'foreign') {
      throw resourceConflict(`storage directory ${storageDirOf(ctx.storageRoot, tenant.tenantId)} does not belong to tenant ${tenant.tenantId}`);
    }
    await removeStorage(ctx.storageRoot, tenant.tenantId);
    await ctx.registry.sql`UPDATE tenant_resources SET state = 'removed', removed_at = coalesce(removed_at, now())
                           WHERE tenant_id = ${tenant.tenantId} AND kind = 'storage'`;
  },
};
