import express from 'express';
import type postgres from 'postgres';
import { Problem, problemHandler } from './problem';
import { tenantRoutes } from './routes/tenants';
import { sessionRoutes } from './routes/session';
import { planRoutes } from './routes/plans';
import { consoleRoutes } from './console';
import { reconciliationRoutes } from './routes/reconciliation';
import { JSON_TYPES, requireJsonBody } from './json-content-type';
import { rejectUnstorableText } from './text-guard';
import type { RateLimit } from './rate-limit';
import type { WorkflowStarter } from './workflow-starter';
import type { ReconciliationSources } from '../activities/reconciliation';
import { tenantUrlOf } from '../activities/naming';
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
  // Parsed only after authentication, so that an anonymous caller gets 401 whatever it sends.
  const json = [requireJsonBody, express.json({ limit: BODY_LIMIT, type: JSON_TYPES }), rejectUnstorableText];

  const workflowUrl = (tenantId: string) =>
    deps.temporalUiUrl ? `${deps.temporalUiUrl}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/tenant-${tenantId}` : null;
  const tenantUrl = (slug: string) => `${tenantUrlOf(slug, deps.baseDomain, deps.gatewayPort)}/`;

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use('/v1/session', json, sessionRoutes(deps.sql, { secureCookies: deps.secureCookies ?? false }));
  app.use('/v1', authenticate(deps.sql), json);
  app.use('/v1/plans', planRoutes(deps.sql));
  app.use(
    '/v1/tenants',
    tenantRoutes({ sql: deps.sql, lifecycle: deps.lifecycle, workflowUrl, tenantUrl, createLimit: deps.tenantCreateLimit ?? DEFAULT_TENANT_CREATE_LIMIT, starter: deps.workflowStarter }),
  );
  app.use('/v1/reconciliation', reconciliationRoutes(deps.reconciliation));
  app.use(consoleRoutes(deps.sql));
  app.use((_req, _res, next) => next(new Problem(404, 'Not found', 'No such route')));
  app.use(problemHandler);
  return app;
}
