import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import { ensureDatabaseExists, migrateRegistry, openRegistry, withDatabase } from '../../db/registry/connect';
import { createSecretBox } from '../../config/secret-box';
import { createStepContext } from '../../worker/step-context';
import { createLifecycleWorker } from '../../worker/create-worker';
import { ScriptedFaults } from '../../activities/fault-injection';
import { LifecycleClient } from '../../api/lifecycle-client';
import { WorkflowStarter } from '../../api/workflow-starter';
import { createApiApp } from '../../api/app';
import type { RateLimit } from '../../api/rate-limit';
import { createGateway } from '../../gateway/server';
import { readTenantCredentials } from '../../activities/tenant-database';
import type { StepRetryOptions } from '../../workflows/contract';
import { testEnvironment } from './environment';
import { createApiToken } from '../../api/auth/credential-store';
import { STAFF_ROLES, type StaffRole } from '../../db/registry/schema';
import { request, type JsonResponse } from './http';

/** Retries fast enough that a step failing for good fails the tenant within seconds. */
export const FAST_STEP_RETRY: StepRetryOptions = { maximumAttempts: 3, initialIntervalMs: 100, maximumIntervalMs: 500 };

export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;

/**
 * A whole platform for one test file, in this process: its own registry database,
 * storage root and task queue, a real worker, the API and the gateway on free ports,
 * against the run's real PostgreSQL and Temporal server. Only the fault injector is
 * test-specific, and production code has no way to build one.
 */
export async function startTestPlatform(opts: { stepRetry?: StepRetryOptions; continueAsNewAfterEvents?: number; tenantCreateLimit?: RateLimit } = {}) {
  const env = await testEnvironment();
  const id = randomBytes(4).toString('hex');
  const registryUrl = await ensureDatabaseExists(env.adminUrl, `registry_${id}`);
  await migrateRegistry(registryUrl);
  const dataDir = path.join(env.scratchDir, id);
  const faults = new ScriptedFaults();
  const baseDomain = 'localhost';
  const secretKey = randomBytes(32);
  const registry = openRegistry(registryUrl);
  // The gateway listens first, with its own credential lookup as in gateway/main.ts, so
  // that the worker's context knows the port its invitation links and routes must name.
  const lookup = { registry, secrets: createSecretBox(secretKey), tenantServerUrl: withDatabase(env.adminUrl, 'postgres') };
  const gateway = createGateway({ sql: registry.sql, credentialsOf: (tenantId) => readTenantCredentials(lookup, tenantId) });
  const gatewayPort = await listen(gateway);
  const context = createStepContext({
    registryUrl,
    tenantServerUrl: env.adminUrl,
    secretKey,
    storageRoot: path.join(dataDir, 'storage'),
    dataDir,
    baseDomain,
    gatewayPort,
    inboundEmailDomain: 'inbound.test',
    faults,
  });
  const taskQueue = `test-${id}`;
  const namespace = env.temporal.namespace ?? 'default';
  const worker: Worker = await createLifecycleWorker({
    connection: env.temporal.nativeConnection,
    namespace,
    taskQueue,
    context,
    workflowBundle: await env.workflowBundle(),
  });
  const workerRun = worker.run();

  const lifecycle = new LifecycleClient(env.temporal.client, taskQueue, {
    stepRetry: opts.stepRetry ?? FAST_STEP_RETRY,
    continueAsNewAfterEvents: opts.continueAsNewAfterEvents,
  });
  const workflowStarter = new WorkflowStarter(registry.sql, lifecycle, { pollMs: 200 });
  workflowStarter.start();
  const apiServer = http.createServer(
    createApiApp({
      sql: registry.sql,
      lifecycle,
      workflowStarter,
      namespace,
      temporalUiUrl: 'http://127.0.0.1:8233',
      baseDomain,
      gatewayPort,
      tenantCreateLimit: opts.tenantCreateLimit,
      reconciliation: { registry: registry.sql, tenantServer: context.tenantServer, storageRoot: context.storageRoot },
    }),
  );
  const apiUrl = `http://127.0.0.1:${await listen(apiServer)}`;
  const tokens = {} as Record<StaffRole, string>;
  for (const role of STAFF_ROLES) tokens[role] = (await createApiToken(registry.sql, `test-${role}`, role)).token;
  /** A JSON request to the API with the bearer token of `as` (admin by default; null for none). */
  const api = (method: string, path: string, body?: unknown, as: StaffRole | null = 'admin', headers: Record<string, string> = {}): Promise<JsonResponse> =>
    request(apiUrl, method, path, body, { ...(as ? { authorization: `Bearer ${tokens[as]}` } : {}), ...headers });

  return {
    id,
    apiUrl,
    api,
    tokens,
    gatewayPort,
    registryUrl,
    faults,
    context,
    sql: registry.sql,
    client: env.temporal.client,
    adminUrl: env.adminUrl,
    taskQueue,
    worker,
    workflowStarter,
    async stop() {
      apiServer.closeAllConnections();
      await new Promise((r) => apiServer.close(r));
      await gateway.closeAll();
      await workflowStarter.stop();
      worker.shutdown();
      await workerRun;
      await registry.close();
      await context.close();
    },
  };
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
