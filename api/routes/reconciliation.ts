import { Router } from 'express';
import { authorize } from '../auth/authenticate';
import { reconcile, type ReconciliationSources } from '../../activities/reconciliation';

/**
 * `GET /v1/reconciliation`: what exists that belongs to no live tenant, and what a tenant
 * is missing. Read-only, so every staff role that may read tenants may run it.
 */
export function reconciliationRoutes(sources: ReconciliationSources): Router {
  const router = Router();
  router.get('/', authorize('tenants.read'), async (_req, res) => {
    res.json(await reconcile(sources));
  });
  return router;
}
