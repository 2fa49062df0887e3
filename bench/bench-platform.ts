import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startLocalServices, type LocalServices } from '../launcher/local-services';
import { openRegistry } from '../db/registry/connect';
import { createApiToken } from '../api/auth/credential-store';
import { createStepContext } from '../worker/step-context';
import type { StaffRole } from '../db/registry/schema';
import { PlatformProcess } from './child-process';
import { JsonClient } from './http-client';
import { cpuSecondsOfThisProcess, cpuSecondsOfTree } from './cpu-time';

export interface BenchPlatformOptions {
  dataDir: string;
  postgresPort: number;
  temporalPort: number;
  apiPort: number;
  floorApiPort: number;
  ephemeralTemporal: boolean;
  log: (line: string) => void;
}

export type BenchPlatform = Awaited<ReturnType<typeof startBenchPlatform>>;

/**
 * The platform as `npm start` runs it: embedded PostgreSQL, the Temporal dev server with
 * its SQLite file, and the production worker and API entry points as child processes,
 * on ports of the benchmark's own. Beside it, a step context for the floor script.
 */
export async function startBenchPlatform(opts: BenchPlatformOptions) {
  await rm(opts.dataDir, { recursive: true, force: true });
  await mkdir(path.join(opts.dataDir, 'logs'), { recursive: true });
  const services: LocalServices = await startLocalServices({
    dataDir: opts.dataDir,
    postgresPort: opts.postgresPort,
    temporalPort: opts.temporalPort,
    ephemeralTemporal: opts.ephemeralTemporal,
    log: opts.log,
  });
  const storageRoot = path.join(opts.dataDir, 'storage');
  const secretKey = randomBytes(32);
  const log = createWriteStream(path.join(opts.dataDir, 'logs', 'platform.log'), { flags: 'a' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: opts.dataDir,
    DATABASE_URL: services.registryUrl,
    TENANT_DATABASE_URL: services.tenantServerUrl,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_NAMESPACE: services.namespace,
    STORAGE_ROOT: storageRoot,
    SECRET_KEY: secretKey.toString('hex'),
    API_PORT: String(opts.apiPort),
    LOG_LEVEL: 'warn',
  };
  const root = path.resolve(__dirname, '..');
  const worker = new PlatformProcess('worker', path.join(root, 'worker', 'main.ts'), env, log);
  const api = new PlatformProcess('api', path.join(root, 'api', 'main.ts'), env, log);
  const floorApi = new PlatformProcess('floor-api', path.join(__dirname, 'floor-api.ts'), { ...env, API_PORT: String(opts.floorApiPort) }, log);
  await Promise.all([worker.start(/polling task queue/), api.start(/listening on/)]);

  const registry = openRegistry(services.registryUrl, { max: 10 });
  const floorContext = createStepContext({
    registryUrl: services.registryUrl,
    tenantServerUrl: services.tenantServerUrl,
    secretKey,
    storageRoot,
    dataDir: opts.dataDir,
    baseDomain: 'localhost',
    gatewayPort: null,
    inboundEmailDomain: 'inbound.actionconnect.localhost',
  });
  const clients: JsonClient[] = [];

  return {
    services,
    worker,
    api,
    floorApi,
    sql: registry.sql,
    floorContext,
    apiUrl: `http://127.0.0.1:${opts.apiPort}`,
    floorApiUrl: `http://127.0.0.1:${opts.floorApiPort}`,

    /** CPU seconds used so far by each part of the platform, and by this process (floor script, load generator). */
    cpuSeconds(): Record<'worker' | 'api' | 'temporal' | 'postgres' | 'bench', number> {
      const ids = services.processIds();
      const of = (pid: number | null | undefined) => (pid ? cpuSecondsOfTree(pid) : 0);
      const alive = (proc: PlatformProcess) => {
        try {
          return proc.pid;
        } catch {
          return null;
        }
      };
      return { worker: of(alive(worker)), api: of(alive(api)), temporal: of(ids.temporal), postgres: of(ids.postgres), bench: cpuSecondsOfThisProcess() };
    },

    /** A client with a token of its own, so each figure has its own rate-limit bucket. */
    async client(name: string, role: StaffRole = 'admin', baseUrl = `http://127.0.0.1:${opts.apiPort}`): Promise<JsonClient> {
      const { token } = await createApiToken(registry.sql, `bench-${name}`, role);
      const client = new JsonClient(baseUrl, token);
      clients.push(client);
      return client;
    },

    async stop() {
      for (const c of clients) c.close();
      await Promise.all([worker.stop(), api.stop(), floorApi.stop()]);
      await floorContext.close();
      await registry.close();
      await services.stop();
    },
  };
}
