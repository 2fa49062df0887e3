import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Step } from '../step';
import { withTenantDatabase } from '../tenant-database';
import { supportAddressOf } from '../naming';
import { INVITATION_TTL_MS, seedTenantDatabase } from '../../db/tenant/seed';
import { composeInvitationEmail } from './invitation-email';

/**
 * Seed: the product defaults, inserted by natural key. The admin user gets an
 * invitation, never a password: only the token's hash is kept in the tenant's database,
 * and the token goes out as an email in the local outbox. The token is derived from the
 * tenant id under the platform key, so a retry after a crash writes the same email again.
 * The link goes to the gateway (gateway/invitation.ts), where the admin chooses a password.
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
    const message = composeInvitationEmail({
      to: tenant.adminEmail,
      from: `ActionConnect <no-reply@${ctx.baseDomain}>`,
      tenantName: tenant.name,
      link: `${ctx.publicTenantUrl(tenant.slug)}/invitations/${invitationToken}`,
      messageId: `admin-invitation.${tenant.tenantId}@${ctx.baseDomain}`,
      validForDays: Math.round(INVITATION_TTL_MS / 86_400_000),
      date: new Date(),
    });
    await writeFile(path.join(ctx.mailOutboxDir, `${tenant.tenantId}-admin-invitation.eml`), message, { mode: 0o600 });
  },
};
