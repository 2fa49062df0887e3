import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { hostOf } from '../naming';

/** Routing: a pending route for `<slug>.<base domain>`; Activate publishes it. */
export const setUpRouting: Step = {
  name: 'routing',
  async apply(ctx, tenant) {
    const { sql } = ctx.registry;
    const host = hostOf(tenant.slug, ctx.baseDomain);
    await sql`
      INSERT INTO routes (host, tenant_id, state) VALUES (${host}, ${tenant.tenantId}, 'pending')
      ON CONFLICT (host) WHERE state <> 'revoked' DO NOTHING`;
    const [live] = await sql<{ tenantId: string }[]>`
      SELECT tenant_id AS "tenantId" FROM routes WHERE host = ${host} AND state <> 'revoked'`;
    if (live?.tenantId !== tenant.tenantId) throw resourceConflict(`host ${host} is routed to another tenant`);
    await sql`
      INSERT INTO tenant_resources (tenant_id, kind, name, details, state)
      VALUES (${tenant.tenantId}, 'route', ${host}, ${sql.json({ url: ctx.publicTenantUrl(tenant.slug) })}, 'present')
      ON CONFLICT (tenant_id, kind) DO UPDATE SET state = 'present', removed_at = NULL`;
  },
};
