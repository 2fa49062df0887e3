import { Router } from 'express';
import type postgres from 'postgres';
import { authorize } from '../auth/authenticate';

/** The plans a tenant can be on, cheapest first: what the console's create form offers. */
export function planRoutes(sql: postgres.Sql): Router {
  const router = Router();
  router.get('/', authorize('tenants.read'), async (_req, res) => {
    const items = await sql`
      SELECT key, name, description, max_users AS "maxUsers", storage_quota_mb AS "storageQuotaMb"
      FROM plans ORDER BY max_users, key`;
    res.json({ items });
  });
  return router;
}
