import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { ensureDatabaseExists, migrateRegistry, withDatabase } from '../db/registry/connect';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { REGISTRY_DATABASE } from './registry-access';

export interface LocalServicesOptions {
  /** Holds `postgres/` and `temporal/` (with the SQLite file unless ephemeral). */
  dataDir: string;
  postgresPort: number;
  temporalPort: number;
  /** Keep Temporal's state in memory; otherwise in `<dataDir>/temporal/temporal.sqlite`. */
  ephemeralTemporal?: boolean;
  log?: (line: string) => void;
}

export interface LocalServices {
  adminUrl: string;
  registryUrl: string;
  /** Superuser URL of the maintenance database, where tenant databases are created. */
  tenantServerUrl: string;
  temporalAddress: string;
  namespace: string;
  /** Stops PostgreSQL and starts it again on the same data directory and port. */
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  /** Stops the Temporal dev server and starts it again on the same SQLite file and port. */
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  stop(): Promise<void>;
  /** The PostgreSQL postmaster's and the Temporal server's process ids, while they run. */
  processIds(): { postgres: number | null; temporal: number | null };
}

/**
 * Embedded PostgreSQL and the Temporal dev server for the benchmarks and fault drills:
 * the same pieces `npm start` runs, on ports of their own, each of which can be stopped
 * and started again on the same data.
 */
export async function startLocalServices(opts: LocalServicesOptions): Promise<LocalServices> {
  const pgDir = path.join(opts.dataDir, 'postgres');
  const temporalDir = path.join(opts.dataDir, 'temporal');
  let postgres: EmbeddedPostgres | undefined;
  let temporal: TemporalDevServer | undefined;
  const startPostgres = async () => {
    postgres = await startEmbeddedPostgres({ dataDir: pgDir, port: opts.postgresPort });
  };
  const startTemporal = async () => {
    temporal = await startTemporalDevServer({
      dataDir: temporalDir,
      ephemeral: opts.ephemeralTemporal ?? false,
      headless: true,
      port: opts.temporalPort,
      log: opts.log,
    });
  };
  await Promise.all([startPostgres(), startTemporal()]);
  const adminUrl = postgres!.adminUrl;
  const registryUrl = await ensureDatabaseExists(adminUrl, REGISTRY_DATABASE);
  await migrateRegistry(registryUrl);
  return {
    adminUrl,
    registryUrl,
    tenantServerUrl: withDatabase(adminUrl, 'postgres'),
    temporalAddress: temporal!.address,
    namespace: temporal!.namespace,
    stopPostgres: async () => {
      await postgres?.stop();
      postgres = undefined;
    },
    startPostgres,
    stopTemporal: async () => {
      await temporal?.stop();
      temporal = undefined;
    },
    startTemporal,
    async stop() {
      await Promise.all([temporal?.stop(), postgres?.stop()]);
    },
    processIds() {
      let pg: number | null = null;
      try {
        pg = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
      } catch {
        // not running
      }
      return { postgres: postgres ? pg : null, temporal: temporal?.pid ?? null };
    },
  };
}
