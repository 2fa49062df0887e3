import type { Step } from '../step';
import { PermanentStepError } from '../errors';

/** Activate: publish the route and mark the tenant active, together, so the gateway never sees one without the other. */
export const activate: Step = {
  name: 'activate',
  async apply(ctx, tenant) {
    await ctx.registry.sql.begin(async (tx) => {
      const published = await tx`
        UPDATE routes SET state = 'published', published_at = coalesce(published_at, now())
        WHERE tenant_id = ${tenant.tenantId} AND state <> 'revoked' RETURNING id`;
      if (published.length === 0) throw new PermanentStepError('InvalidTenant', `tenant ${tenant.tenantId} has no route to publish`);
      await tx`
        UPDATE tenants SET status = 'active', failed_pipeline = NULL, failed_step = NULL, failure_reason = NULL, updated_at = now()
        WHERE id = ${tenant.tenantId} AND status IN ('provisioning', 'active')`;
    });
  },
};
