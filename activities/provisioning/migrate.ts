import type { Step } from '../step';
import { withTenantDatabase } from '../tenant-database';
import { migrateTenantDatabase } from '../../db/tenant/migrate';

/** Migrate: the product schema, applied as the tenant's own role; applied migrations are skipped. */
export const migrate: Step = {
  name: 'migrate',
  async apply(ctx, tenant) {
    await withTenantDatabase(ctx, tenant.tenantId, (sql) => migrateTenantDatabase(sql));
  },
};
