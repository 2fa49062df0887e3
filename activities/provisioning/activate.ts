import type { Step } from '../step';
import { PermanentStepError } from '../errors';

/**
 * Activate: publish the route. The workflow sets the status to active right after this
 * step, through the same transition that audits it: the registry's status only ever
 * changes after the workflow has decided it, so the API never sees a status the workflow
 * would not yet act on. Until then the gateway answers 503 for the published host.
 */
export const activate: Step = {
  name: 'activate',
  async apply(ctx, tenant) {
    const published = await ctx.registry.sql`
      UPDATE routes SET state = 'published', published_at = coalesce(published_at, now())
      WHERE tenant_id = ${tenant.tenantId} AND state <> 'revoked' RETURNING id`;
    if (published.length === 0) throw new PermanentStepError('InvalidTenant', `tenant ${tenant.tenantId} has no route to publish`);
  },
};
