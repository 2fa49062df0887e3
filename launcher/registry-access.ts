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

/** Which server the registry is on, before connecting to it. */
export type RegistrySource =
  | { kind: 'url'; url: string }
  /** The embedded cluster under DATA_DIR, already running for a live platform, on this port. */
  | { kind: 'running'; dataDir: string; port: number }
  /** The embedded cluster under DATA_DIR, to be started on EMBEDDED_PG_PORT. */
  | { kind: 'start'; dataDir: string; port: number };

/**
 * DATABASE_URL; or the embedded cluster under DATA_DIR when a running platform has it up,
 * on whatever port that cluster listens (line 4 of its postmaster.pid), whatever
 * EMBEDDED_PG_PORT says now; or else that cluster, to be started on EMBEDDED_PG_PORT.
 */
export async function registrySource(settings: Settings): Promise<RegistrySource> {
  if (settings.DATABASE_URL) return { kind: 'url', url: settings.DATABASE_URL };
  const dataDir = path.join(settings.dataDir, 'postgres');
  const runningPort = (await embeddedPostgresInUse(dataDir)) ? await runningEmbeddedPort(dataDir) : null;
  return runningPort !== null ? { kind: 'running', dataDir, port: runningPort } : { kind: 'start', dataDir, port: settings.EMBEDDED_PG_PORT };
}

/** For messages: where the registry is, without its password. */
export function describeRegistrySource(source: RegistrySource): string {
  if (source.kind === 'url') {
    let where = 'an unparsable URL';
    try {
      const url = new URL(source.url);
      where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
    } catch {
      // keep the placeholder: the URL itself may hold a password
    }
    return `${where} (DATABASE_URL)`;
  }
  if (source.kind === 'running') return `127.0.0.1:${source.port}, the running platform's embedded PostgreSQL (${path.join(source.dataDir, 'postmaster.pid')})`;
  return `the embedded PostgreSQL in ${source.dataDir}, started on port ${source.port} (EMBEDDED_PG_PORT)`;
}

/**
 * Where the registry is (see registrySource), the embedded cluster started here if no
 * running platform has it up. Migrations are applied either way.
 */
export async function locateRegistry(settings: Settings, log?: (line: string) => void, source?: RegistrySource): Promise<RegistryLocation> {
  source ??= await registrySource(settings);
  if (source.kind === 'url') {
    await migrateRegistry(source.url);
    return { registryUrl: source.url, tenantServerUrl: settings.TENANT_DATABASE_URL ?? source.url };
  }
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl: string;
  if (source.kind === 'running') {
    adminUrl = embeddedAdminUrl(source.port);
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: source.dataDir, port: source.port, log });
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
