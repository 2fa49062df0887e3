import type { Step } from '../step';

/** Revoke routing: the subdomain stops resolving to the tenant first, before any data goes. */
export const revokeRouting: Step = {
  name: 'revokeRouting',
  async apply(ctx, tenant) {
    const { sql } = ctx.registry;
    await sql.begin(async (tx) => {
      await tx`UPDATE routes SET state = 'revoked', revoked_at = now() WHERE tenant_id = ${tenant.tenantId} AND state <> 'revoked'`;
      await tx`UPDATE tenant_resources SET state = 'removed', removed_at = coalesce(removed_at, now())
               WHERE tenant_id = ${tenant.tenantId} AND kind = 'route'`;
    });
  },
};
