import type { Step } from '../step';
import { PermanentStepError, resourceConflict } from '../errors';

/** Registry: the API wrote the row already; ensuring it here makes the workflow self-sufficient. */
export const ensureRegistry: Step = {
  name: 'registry',
  async apply(ctx, tenant) {
    const { sql } = ctx.registry;
    try {
      await sql`
        INSERT INTO tenants (id, name, slug, plan, admin_email, created_by, status)
        VALUES (${tenant.tenantId}, ${tenant.name}, ${tenant.slug}, ${tenant.plan}, ${tenant.adminEmail}, ${tenant.createdBy}, 'provisioning')
        ON CONFLICT (id) DO NOTHING`;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw resourceConflict(`slug ${tenant.slug} belongs to another tenant`);
      throw err;
    }
    const [row] = await sql<{ slug: string; status: string }[]>`SELECT slug, status FROM tenants WHERE id = ${tenant.tenantId}`;
    if (!row || row.slug !== tenant.slug) throw resourceConflict(`registry row of ${tenant.tenantId} does not match this tenant`);
    if (row.status === 'deleted') throw new PermanentStepError('InvalidTenant', `tenant ${tenant.tenantId} is deleted`);
  },
};
