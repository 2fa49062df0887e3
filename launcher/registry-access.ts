import path from 'node:path';
import type { Settings } from '../config/settings';
import { embeddedAdminUrl, embeddedPostgresInUse, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
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
 * here unless a running platform already has it up. Migrations are applied either way.
 */
export async function locateRegistry(settings: Settings): Promise<RegistryLocation> {
  if (settings.DATABASE_URL) {
    await migrateRegistry(settings.DATABASE_URL);
    return { registryUrl: settings.DATABASE_URL, tenantServerUrl: settings.TENANT_DATABASE_URL ?? settings.DATABASE_URL };
  }
  const dataDir = path.join(settings.dataDir, 'postgres');
  let embedded: EmbeddedPostgres | undefined;
  let adminUrl = embeddedAdminUrl(settings.EMBEDDED_PG_PORT);
  if (!(await embeddedPostgresInUse(dataDir))) {
    embedded = await startEmbeddedPostgres({ dataDir, port: settings.EMBEDDED_PG_PORT });
    adminUrl = embedded.adminUrl;
  }
  const registryUrl = await ensureDatabaseExists(adminUrl, REGISTRY_DATABASE);
  await migrateRegistry(registryUrl);
  return { registryUrl, tenantServerUrl: withDatabase(adminUrl, 'postgres'), embedded };
}
