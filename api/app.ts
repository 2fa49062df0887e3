import express from 'express';
import type postgres from 'postgres';
import { Problem, problemHandler } from './problem';
import { tenantRoutes } from './routes/tenants';
import { sessionRoutes } from './routes/session';
import { reconciliationRoutes } from './routes/reconciliation';
import { JSON_TYPES, requireJsonBody } from './json-content-type';
import type { RateLimit } from './rate-limit';
import type { WorkflowStarter } from './workflow-starter';
import type { ReconciliationSources } from '../activities/reconciliation';
import { authenticate } from './auth/authenticate';
import type { LifecycleClient } from './lifecycle-client';

export interface ApiDeps {
  sql: postgres.Sql;
  lifecycle: LifecycleClient;
  namespace: string;
  temporalUiUrl: string | null;
  /** Where tenants are reached: `http://<slug>.<baseDomain>[:port]`. */
  baseDomain: string;
  gatewayPort: number | null;
  /** Set the session cookie's Secure flag (behind HTTPS). */
  secureCookies?: boolean;
  /** Tenant creation per credential; DEFAULT_TENANT_CREATE_LIMIT when unset. */
  tenantCreateLimit?: RateLimit;
  /** Starts the workflows of the tenants this API accepts; the caller starts and stops it. */
  workflowStarter: WorkflowStarter;
  /** Where the reconciliation check looks for the real resources. */
  reconciliation: ReconciliationSources;
}

/** Generous: a runaway client is stopped, a busy signup day (or a benchmark) is not. */
export const DEFAULT_TENANT_CREATE_LIMIT: RateLimit = { burst: 3000, perMinute: 3000 };

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const BODY_LIMIT = '16kb';

export function createApiApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requireJsonBody);
  app.use(express.json({ limit: BODY_LIMIT, type: JSON_TYPES }));

  const workflowUrl = (tenantId: string) =>
    deps.temporalUiUrl ? `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/tenant-${tenantId}` : null;
  const tenantUrl = (slug: string) => `http://${slug}.${deps.baseDomain}${deps.gatewayPort && deps.gatewayPort !== 80 ? `:${deps.gatewayPort}` : ''}/`;

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/v1/session', sessionRoutes(deps.sql, { secureCookies: deps.secureCookies ?? false }));
  app.use('/v1', authenticate(deps.sql));
  app.use(
    '/v1/tenants',
    tenantRoutes({ sql: deps.sql, lifecycle: deps.lifecycle, workflowUrl, tenantUrl, createLimit: deps.tenantCreateLimit ?? DEFAULT_TENANT_CREATE_LIMIT, starter: deps.workflowStarter }),
  );
  app.use('/v1/reconciliation', reconciliationRoutes(deps.reconciliation));
  app.use((_req, _res, next) => next(new Problem(404, 'Not found', 'No such route')));
  app.use(problemHandler);
  return app;
}
