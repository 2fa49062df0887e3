import type { Step } from '../step';

/** Remove the inbound address: mail to the support address stops reaching the tenant. */
export const removeInboundAddress: Step = {
  name: 'removeInboundAddress',
  async apply(ctx, tenant) {
    await ctx.registry.sql.begin(async (tx) => {
      await tx`UPDATE inbound_addresses SET state = 'removed', removed_at = now() WHERE tenant_id = ${tenant.tenantId} AND state <> 'removed'`;
      await tx`UPDATE tenant_resources SET state = 'removed', removed_at = coalesce(removed_at, now())
               WHERE tenant_id = ${tenant.tenantId} AND kind = 'inbound_address'`;
    });
  },
};
