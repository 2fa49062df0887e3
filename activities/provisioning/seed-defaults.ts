import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../step';
import { withTenantDatabase } from '../tenant-database';
import { hostOf, supportAddressOf } from '../naming';
import { seedTenantDatabase } from '../../db/tenant/seed';

/**
 * Seed: the product defaults, inserted by natural key. The admin user gets an
 * invitation, never a password: only the token's hash is kept in the tenant's database,
 * and the token goes out as an email in the local outbox. The token is derived from the
 * tenant id under the platform key, so a retry after a crash writes the same email again.
 */
export const seedDefaults: Step = {
  name: 'seed',
  async apply(ctx, tenant) {
    const invitationToken = ctx.secrets.derive(`admin-invitation:${tenant.tenantId}`);
    await withTenantDatabase(ctx, tenant.tenantId, (sql) =>
      seedTenantDatabase(sql, {
        tenantName: tenant.name,
        slug: tenant.slug,
        adminEmail: tenant.adminEmail,
        supportAddress: supportAddressOf(tenant.slug, ctx.inboundEmailDomain),
        invitationToken,
      }),
    );
    await mkdir(ctx.mailOutboxDir, { recursive: true });
    const link = `http://${hostOf(tenant.slug, ctx.baseDomain)}/invitations/${invitationToken}`;
    const message = [
      `To: ${tenant.adminEmail}`,
      `From: ActionConnect <no-reply@${ctx.baseDomain}>`,
      `Subject: Your ActionConnect organization ${tenant.name} is ready`,
      '',
      `Accept your invitation to ${tenant.name}: ${link}`,
      '',
    ].join('\r\n');
    await writeFile(path.join(ctx.mailOutboxDir, `${tenant.tenantId}-admin-invitation.eml`), message, { mode: 0o600 });
  },
};
