import express, { type Request } from 'express';
import type postgres from 'postgres';
import { Problem, problemHandler } from './problem';
import { tenantRoutes } from './routes/tenants';
import type { LifecycleClient } from './lifecycle-client';

export interface ApiDeps {
  sql: postgres.Sql;
  lifecycle: LifecycleClient;
  namespace: string;
  temporalUiUrl: string | null;
  /** Where tenants are reached: `http://<slug>.<baseDomain>[:port]`. */
  baseDomain: string;
  gatewayPort: number | null;
}

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT = '16kb';

export function createApiApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(express.json({ limit: BODY_LIMIT, type: ['application/json', 'application/*+json'] }));

  const workflowUrl = (tenantId: string) =>
    deps.temporalUiUrl ? `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/tenant-${tenantId}` : null;
  const tenantUrl = (slug: string) => `http://${slug}.${deps.baseDomain}${deps.gatewayPort && deps.gatewayPort !== 80 ? `:${deps.gatewayPort}` : ''}/`;
  const actorOf = (_req: Request) => 'staff:anonymous';

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/v1/tenants', tenantRoutes({ sql: deps.sql, lifecycle: deps.lifecycle, workflowUrl, tenantUrl, actorOf }));
  app.use((_req, _res, next) => next(new Problem(404, 'Not found', 'No such route')));
  app.use(problemHandler);
  return app;
}
