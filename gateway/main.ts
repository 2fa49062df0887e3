import { loadSettings } from '../config/settings';
import { loadSecretKey, createSecretBox } from '../config/secret-box';
import { announceReady, onShutdown, requireSetting } from '../config/process';
import { openRegistry, withDatabase } from '../db/registry/connect';
import { readTenantCredentials } from '../activities/tenant-database';
import { createGateway } from './server';

/** The gateway process: serves http://<slug>.<BASE_DOMAIN>:<GATEWAY_PORT>/ from each tenant's database. */
async function main() {
  const settings = loadSettings();
  const registryUrl = requireSetting(settings, 'DATABASE_URL');
  const registry = openRegistry(registryUrl, { max: 10 });
  const lookup = {
    registry,
    secrets: createSecretBox(loadSecretKey(settings.SECRET_KEY, settings.dataDir)),
    tenantServerUrl: withDatabase(settings.TENANT_DATABASE_URL ?? registryUrl, 'postgres'),
  };
  const gateway = createGateway({ sql: registry.sql, credentialsOf: (tenantId) => readTenantCredentials(lookup, tenantId) });
  gateway.listen(settings.GATEWAY_PORT, settings.LISTEN_HOST, () =>
    announceReady(`[gateway] serving http://<slug>.${settings.BASE_DOMAIN}:${settings.GATEWAY_PORT}/`),
  );
  onShutdown('gateway', async () => {
    await gateway.closeAll();
    await registry.close();
  });
}

main().catch((err) => {
  console.error('[gateway] failed:', err);
  process.exit(1);
});
