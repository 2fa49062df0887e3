import type { Step } from '../step';
import { inspectTenantResources } from '../resource-check';

/** Mark deleted: only once every resource is really gone. The row stays for the audit trail. */
export const markDeleted: Step = {
  name: 'markDeleted',
  async apply(ctx, tenant) {
    const presence = await inspectTenantResources(ctx, tenant.tenantId);
    const remaining = Object.entries(presence).filter(([, present]) => present).map(([kind]) => kind);
    if (remaining.length > 0) throw new Error(`resources still present: ${remaining.join(', ')}`);
    await ctx.registry.sql`
      UPDATE tenants SET status = 'deleted', deleted_at = coalesce(deleted_at, now()), updated_at = now(),
        failed_pipeline = NULL, failed_step = NULL, failure_reason = NULL
      WHERE id = ${tenant.tenantId}`;
  },
};
