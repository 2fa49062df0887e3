import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { supportAddressOf } from '../naming';

/** Email: the inbound support address `support@<slug>.<inbound domain>`, mapped to the tenant. */
export const configureEmail: Step = {
  name: 'email',
  async apply(ctx, tenant) {
    const { sql } = ctx.registry;
    const address = supportAddressOf(tenant.slug, ctx.inboundEmailDomain);
    await sql`
      INSERT INTO inbound_addresses (address, tenant_id, state) VALUES (${address}, ${tenant.tenantId}, 'active')
      ON CONFLICT (address) WHERE state <> 'removed' DO NOTHING`;
    const [live] = await sql<{ tenantId: string }[]>`
      SELECT tenant_id AS "tenantId" FROM inbound_addresses WHERE address = ${address} AND state <> 'removed'`;
    if (live?.tenantId !== tenant.tenantId) throw resourceConflict(`address ${address} belongs to another tenant`);
    await sql`
      INSERT INTO tenant_resources (tenant_id, kind, name, details, state)
      VALUES (${tenant.tenantId}, 'inbound_address', ${address}, ${sql.json({ address })}, 'present')
      ON CONFLICT (tenant_id, kind) DO UPDATE SET state = 'present', removed_at = NULL`;
  },
};
