import type { Step } from '../step';
import { resourceConflict } from '../errors';
import { databaseNameOf, ownershipMarkOf } from '../naming';
import { ensureTenantCredentials, inspectOwnership } from '../tenant-database';
import { quoteIdent, quoteLiteral } from '../../db/registry/connect';

/**
 * Create database: a login role and a database it owns, both `t_<id>`, reachable by no
 * other role. The role is created together with its ownership comment in one
 * transaction; the database is created owned by that role in one statement. So every
 * leftover of a crashed attempt already carries its mark and is adopted by the retry,
 * while a same-named role or database made by anyone else is refused.
 */
export const createDatabase: Step = {
  name: 'createDatabase',
  async apply(ctx, tenant) {
    const name = databaseNameOf(tenant.tenantId);
    const mark = ownershipMarkOf(tenant.tenantId);
    const credentials = await ensureTenantCredentials(ctx, tenant.tenantId);
    const server = ctx.tenantServer;

    const before = await inspectOwnership(server, tenant.tenantId);
    if (before.role === 'foreign') throw resourceConflict(`role ${name} exists and does not belong to tenant ${tenant.tenantId}`);
    if (before.database === 'foreign') throw resourceConflict(`database ${name} exists and does not belong to tenant ${tenant.tenantId}`);
    await server.begin(async (tx) => {
      const verb = before.role === 'ours' ? 'ALTER' : 'CREATE';
      await tx.unsafe(`${verb} ROLE ${quoteIdent(name)} LOGIN PASSWORD ${quoteLiteral(credentials.password)} CONNECTION LIMIT 50`);
      await tx.unsafe(`COMMENT ON ROLE ${quoteIdent(name)} IS ${quoteLiteral(mark)}`);
    });

    if (before.database === 'absent') {
      try {
        await server.unsafe(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(name)}`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently: judged below
      }
      if ((await inspectOwnership(server, tenant.tenantId)).database !== 'ours') {
        throw resourceConflict(`database ${name} exists and does not belong to tenant ${tenant.tenantId}`);
      }
    }
    await server.unsafe(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(mark)}`);
    await server.unsafe(`REVOKE ALL ON DATABASE ${quoteIdent(name)} FROM PUBLIC`);

    await ctx.registry.sql`
      INSERT INTO tenant_resources (tenant_id, kind, name, details, state)
      VALUES (${tenant.tenantId}, 'role', ${name}, ${ctx.registry.sql.json({ mark })}, 'present')
      ON CONFLICT (tenant_id, kind) DO UPDATE SET state = 'present', removed_at = NULL`;
    await ctx.registry.sql`
      UPDATE tenant_resources SET details = details || ${ctx.registry.sql.json({ role: name, mark })}, state = 'present', removed_at = NULL
      WHERE tenant_id = ${tenant.tenantId} AND kind = 'database'`;
  },
};
