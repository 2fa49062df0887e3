import path from 'node:path';
import type { Settings } from '../config/settings';
import { embeddedAdminUrl, embeddedPostgresInUse, runningEmbeddedPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { ensureDatabaseExists, migrateRegistry, withDatabase } from '../db/registry/connect';

export const REGISTRY_DATABASE = 'actionconnect';

export interface RegistryLocation {
  registryUrl: string;
  /** Superuser URL of the server that hosts tenant databases. */
  tenantServerUrl: string;
  /** Set when this process started the embedded server and must stop it. */
  embedded?: EmbeddedPostgres;
}

/**
 * Where the registry is: DATABASE_URL, or the embedded cluster under DATA_DIR, started
 * here unless a running platform already has it up (then on whatever port that cluster
 * listens, from its postmaster.pid, whatever EMBEDDED_PG_PORT says now). Migrations are
 * applied either way.
 */
export async function locateRegistry(settings: Settings, log?: (line: string) => void): Promise<RegistryLocation> {
  if (settings.DATABASE_URL) {
    await migrateRegistry(settings.DATABASE_URL);
    return { registryUrl: settings.DATABASE_URL, tenantServerUrl: settings.TENANT_DATABASE_URL ?? settings.DATABASE_URL };
  }
  const dataDir = path.join(settings.dataDir, 'postgres');
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl: string;
  const runningPort = (await embeddedPostgresInUse(dataDir)) ? await runningEmbeddedPort(dataDir) : null;
  if (runningPort !== null) {
    adminUrl = embeddedAdminUrl(runningPort);
  } else {
    embedded = await startEmbeddedPostgres({ dataDir, port: settings.EMBEDDED_PG_PORT, log });
    adminUrl = embedded.adminUrl;
  }
  try {
    const registryUrl = await ensureDatabaseExists(adminUrl, REGISTRY_DATABASE);
    await migrateRegistry(registryUrl);
    return { registryUrl, tenantServerUrl: withDatabase(adminUrl, 'postgres'), embedded };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
