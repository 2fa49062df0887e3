import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startLocalServices, type LocalServices } from '../launcher/local-services';
import { openRegistry } from '../db/registry/connect';
import { createApiApp } from '../api/app';
import { LifecycleClient } from '../api/lifecycle-client';
import { WorkflowStarter } from '../api/workflow-starter';
import { createApiToken } from '../api/auth/credential-store';
import { databaseNameOf } from '../activities/naming';
import { inspectStorage } from '../activities/storage-directory';
import type { ReconciliationReport } from '../activities/reconciliation';
import { TASK_QUEUE_DEFAULT } from '../workflows/contract';
import { DrillWorkerProcess } from './worker-process';

export interface DrillPlatformOptions {
  dataDir: string;
  postgresPort: number;
  temporalPort: number;
  apiPort: number;
  log: (line: string) => void;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type DrillPlatform = Awaited<ReturnType<typeof startDrillPlatform>>;

/**
 * The platform the drills break: PostgreSQL and the Temporal dev server (with its SQLite
 * file) that can be stopped and started, the API in this process, and the worker as a
 * child process that can be SIGKILLed.
 */
export async function startDrillPlatform(opts: DrillPlatformOptions) {
  await rm(opts.dataDir, { recursive: true, force: true });
  await mkdir(path.join(opts.dataDir, 'logs'), { recursive: true });
  const services: LocalServices = await startLocalServices({
    dataDir: opts.dataDir,
    postgresPort: opts.postgresPort,
    temporalPort: opts.temporalPort,
    log: opts.log,
  });
  const storageRoot = path.join(opts.dataDir, 'storage');
  await mkdir(storageRoot, { recursive: true });

  const bundlePath = path.join(opts.dataDir, 'workflow-bundle.js');
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: silentLogger });
  await writeFile(bundlePath, bundle.code);

  const registry = openRegistry(services.registryUrl, { max: 20 });
  const tenantServer = postgres(services.tenantServerUrl, { max: 2, onnotice: () => {} });
  const connection = await Connection.connect({ address: services.temporalAddress });
  const client = new Client({ connection, namespace: services.namespace });
  const lifecycle = new LifecycleClient(client, TASK_QUEUE_DEFAULT);
  const workflowStarter = new WorkflowStarter(registry.sql, lifecycle, { log: opts.log });
  workflowStarter.start();
  const app = createApiApp({
    sql: registry.sql,
    lifecycle,
    workflowStarter,
    namespace: services.namespace,
    temporalUiUrl: null,
    baseDomain: 'localhost',
    gatewayPort: null,
    reconciliation: { registry: registry.sql, tenantServer, storageRoot },
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(opts.apiPort, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = (await createApiToken(registry.sql, 'drill-admin', 'admin')).token;
  const signup = (await createApiToken(registry.sql, 'drill-signup', 'signup')).token;

  const worker = new DrillWorkerProcess(
    {
      ...process.env,
      DATA_DIR: opts.dataDir,
      DATABASE_URL: services.registryUrl,
      TENANT_DATABASE_URL: services.tenantServerUrl,
      TEMPORAL_ADDRESS: services.temporalAddress,
      TEMPORAL_NAMESPACE: services.namespace,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE_DEFAULT,
      STORAGE_ROOT: storageRoot,
      SECRET_KEY: randomBytes(32).toString('hex'),
      // debug shows the SDK's own worker state changes in logs/worker.log.
      LOG_LEVEL: process.env.DRILL_WORKER_LOG_LEVEL ?? 'warn',
    },
    bundlePath,
    createWriteStream(path.join(opts.dataDir, 'logs', 'worker.log'), { flags: 'a' }),
  );

  const api = async (method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}, as: 'admin' | 'signup' = 'admin'): Promise<ApiAnswer> => {
    const res = await fetch(`${apiUrl}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${as === 'admin' ? admin : signup}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      // A drill that breaks something must fail, not hang on an answer that never comes.
      signal: AbortSignal.timeout(90_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };

  let slugCounter = 0;
  const runId = randomBytes(2).toString('hex');
  const platform = {
    services,
    worker,
    api,
    sql: registry.sql,
    tenantServer,
    storageRoot,
    client,

    newSlug(prefix: string): string {
      slugCounter += 1;
      return `${prefix}-${runId}-${slugCounter}`.toLowerCase();
    },

    async createTenant(slug: string, headers: Record<string, string> = {}): Promise<ApiAnswer> {
      return api('POST', '/v1/tenants', { name: `Drill ${slug}`, slug, plan: 'team', adminEmail: `owner@${slug}.example.com` }, headers, 'signup');
    },

    async deprovision(tenant: { id: string; slug: string }): Promise<void> {
      const res = await api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug, reason: 'drill' });
      if (res.status !== 202) throw new Error(`deprovision of ${tenant.slug} answered ${res.status}: ${JSON.stringify(res.body)}`);
    },

    /** Polls the registry until every tenant has `status`; throws naming the laggards. */
    async waitForStatus(ids: string[], status: string, timeoutMs = 180_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const rows = await registry.sql<{ id: string; status: string; failedStep: string | null; failureReason: string | null }[]>`
          SELECT id, status, failed_step AS "failedStep", failure_reason AS "failureReason" FROM tenants WHERE id IN ${registry.sql(ids)}`.catch(() => []);
        const laggards = rows.filter((r) => r.status !== status);
        if (rows.length === ids.length && laggards.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`tenants not ${status} after ${timeoutMs / 1000} s: ${laggards.map((r) => `${r.id} ${r.status}${r.failedStep ? ` at ${r.failedStep}: ${r.failureReason}` : ''}`).join('; ')}`);
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    },

    /**
     * Counts each tenant's real resources: an active tenant has exactly one database, role,
     * directory, route and inbound address (and no staging leftovers); a deleted one none
     * live, and never more than one route or address row ever.
     */
    async resourceProblems(tenants: { id: string; expect: 'active' | 'deleted' }[]): Promise<string[]> {
      const problems: string[] = [];
      const entries = await readdir(storageRoot);
      for (const t of tenants) {
        const name = databaseNameOf(t.id);
        const want = t.expect === 'active' ? 1 : 0;
        const [counts] = await tenantServer<{ databases: number; roles: number }[]>`
          SELECT (SELECT count(*)::int FROM pg_database WHERE datname = ${name}) AS databases,
                 (SELECT count(*)::int FROM pg_roles WHERE rolname = ${name}) AS roles`;
        const [rows] = await registry.sql<{ routes: number; liveRoutes: number; addresses: number; liveAddresses: number; status: string }[]>`
          SELECT (SELECT count(*)::int FROM routes WHERE tenant_id = ${t.id}) AS routes,
                 (SELECT count(*)::int FROM routes WHERE tenant_id = ${t.id} AND state = 'published') AS "liveRoutes",
                 (SELECT count(*)::int FROM inbound_addresses WHERE tenant_id = ${t.id}) AS addresses,
                 (SELECT count(*)::int FROM inbound_addresses WHERE tenant_id = ${t.id} AND state = 'active') AS "liveAddresses",
                 (SELECT status::text FROM tenants WHERE id = ${t.id}) AS status`;
        const directories = entries.filter((e) => e === t.id).length;
        const unmarked = directories > 0 && (await inspectStorage(storageRoot, t.id)) !== 'ours' ? 1 : 0;
        const staging = entries.filter((e) => e.startsWith(`.staging-${t.id}`)).length;
        const seen = { status: rows!.status, databases: counts!.databases, roles: counts!.roles, directories, unmarked, staging, liveRoutes: rows!.liveRoutes, liveAddresses: rows!.liveAddresses, routeRows: rows!.routes, addressRows: rows!.addresses };
        const expected = { status: t.expect, databases: want, roles: want, directories: want, unmarked: 0, staging: 0, liveRoutes: want, liveAddresses: want, routeRows: 1, addressRows: 1 };
        for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
          if (seen[key] !== expected[key]) problems.push(`${t.id} ${key}: ${seen[key]}, expected ${expected[key]}`);
        }
      }
      return problems;
    },

    /** The staff reconciliation route, over HTTP, as staff would run it. */
    async reconciliation(): Promise<ReconciliationReport> {
      const res = await api('GET', '/v1/reconciliation');
      if (res.status !== 200) throw new Error(`GET /v1/reconciliation answered ${res.status}`);
      return res.body as ReconciliationReport;
    },

    async stop() {
      await worker.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await workflowStarter.stop();
      await connection.close();
      await registry.close();
      await tenantServer.end({ timeout: 5 });
      await services.stop();
    },
  };
  return platform;
}

const silentLogger = { log: () => {}, trace: () => {}, debug: () => {}, info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };
