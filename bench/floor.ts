import { STEP_MODULES } from '../activities';
import type { StepContext } from '../activities/context';
import type { TenantIdentity } from '../workflows/contract';

/**
 * The floor the platform is measured against: the same SQL and file work as provisioning
 * (the API's registry row, then each step's `apply` in order) done by a plain script, with
 * no Temporal, no API, no step records and no audit trail.
 */
export async function provisionDirectly(ctx: StepContext, tenant: TenantIdentity): Promise<void> {
  await ctx.registry.sql.begin(async (tx) => {
    await tx`
      INSERT INTO tenants (id, name, slug, plan, admin_email, created_by, status)
      VALUES (${tenant.tenantId}, ${tenant.name}, ${tenant.slug}, ${tenant.plan}, ${tenant.adminEmail}, ${tenant.createdBy}, 'provisioning')`;
    await tx`
      INSERT INTO audit_events (tenant_id, actor, action, outcome, details)
      VALUES (${tenant.tenantId}, ${tenant.createdBy}, 'tenant.created', 'requested', ${tx.json({ slug: tenant.slug })})`;
  });
  for (const step of STEP_MODULES.provision) await step.apply(ctx, tenant);
}

/** Teardown's steps in order, as plainly. */
export async function deprovisionDirectly(ctx: StepContext, tenant: TenantIdentity): Promise<void> {
  for (const step of STEP_MODULES.deprovision) await step.apply(ctx, tenant);
}
