import type { Step } from '../step';
import { inspectTenantResources } from '../resource-check';

/**
 * Mark deleted: only once every resource is really gone. The status itself is written by
 * the workflow's transition right after this step is recorded complete, as activation's
 * is, so nobody sees a tenant `deleted` whose teardown record is not yet finished. The
 * row stays for the audit trail.
 */
export const markDeleted: Step = {
  name: 'markDeleted',
  async apply(ctx, tenant) {
    const presence = await inspectTenantResources(ctx, tenant.tenantId);
    const remaining = Object.entries(presence).filter(([, present]) => present).map(([kind]) => kind);
    if (remaining.length > 0) throw new Error(`resources still present: ${remaining.join(', ')}`);
  },
};
