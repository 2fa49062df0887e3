import { Client, Connection } from '@temporalio/client';
import { loadSettings } from '../config/settings';
import { onShutdown, requireSetting } from '../config/process';
import { openRegistry } from '../db/registry/connect';
import { createApiApp } from './app';
import { LifecycleClient } from './lifecycle-client';

/** The API process: validates requests, reads the registry, and asks tenant workflows to act. */
async function main() {
  const settings = loadSettings();
  const registry = openRegistry(requireSetting(settings, 'DATABASE_URL'), { max: 20 });
  const connection = await Connection.connect({ address: requireSetting(settings, 'TEMPORAL_ADDRESS') });
  const client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  const app = createApiApp({
    sql: registry.sql,
    lifecycle: new LifecycleClient(client, settings.TEMPORAL_TASK_QUEUE),
    namespace: settings.TEMPORAL_NAMESPACE,
    temporalUiUrl: settings.TEMPORAL_UI_URL ?? null,
    baseDomain: settings.BASE_DOMAIN,
    gatewayPort: settings.GATEWAY_PORT,
  });
  const server = app.listen(settings.API_PORT, () => console.log(`[api] listening on http://localhost:${settings.API_PORT}`));
  onShutdown('api', async () => {
    const closed = new Promise((r) => server.close(r));
    server.closeIdleConnections();
    await closed;
    await registry.close();
    await connection.close();
  });
}

main().catch((err) => {
  console.error('[api] failed:', err);
  process.exit(1);
});
