import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { loadSettings } from '../config/settings';
import { announceReady, onShutdown, requireSetting } from '../config/process';
import { openRegistry, withDatabase } from '../db/registry/connect';
import { createApiApp } from './app';
import { LifecycleClient } from './lifecycle-client';
import { WorkflowStarter } from './workflow-starter';
import { forgetExpiredKeys } from './idempotency';

/** The API process: validates requests, reads the registry, and asks tenant workflows to act. */
async function main() {
  const settings = loadSettings();
  const registryUrl = requireSetting(settings, 'DATABASE_URL');
  const registry = openRegistry(registryUrl, { max: 20 });
  // Only the reconciliation check reads the tenant server (pg_database, pg_roles).
  const tenantServer = postgres(withDatabase(settings.TENANT_DATABASE_URL ?? registryUrl, 'postgres'), { max: 2, onnotice: () => {} });
  const connection = await Connection.connect({ address: requireSetting(settings, 'TEMPORAL_ADDRESS') });
  const client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  const lifecycle = new LifecycleClient(client, settings.TEMPORAL_TASK_QUEUE);
  const workflowStarter = new WorkflowStarter(registry.sql, lifecycle, { log: (line) => console.error(`[api] ${line}`) });
  workflowStarter.start();
  // Idempotency keys are kept for a day; sweep the expired ones now and then.
  const sweepKeys = setInterval(() => void forgetExpiredKeys(registry.sql).catch((err) => console.error('[api] idempotency sweep:', err.message)), 60 * 60_000);
  sweepKeys.unref();
  const app = createApiApp({
    sql: registry.sql,
    lifecycle,
    workflowStarter,
    namespace: settings.TEMPORAL_NAMESPACE,
    temporalUiUrl: settings.TEMPORAL_UI_URL ?? null,
    baseDomain: settings.BASE_DOMAIN,
    gatewayPort: settings.GATEWAY_PORT,
    secureCookies: settings.SECURE_COOKIES,
    tenantCreateLimit: { burst: settings.TENANT_CREATE_BURST, perMinute: settings.TENANT_CREATE_PER_MINUTE },
    reconciliation: { registry: registry.sql, tenantServer, storageRoot: settings.storageRoot },
  });
  // Express 5 hands a listen error (the port is taken) to this callback too.
  const server = app.listen(settings.API_PORT, settings.LISTEN_HOST, (err?: Error) => {
    if (err) {
      console.error(`[api] cannot listen on ${settings.LISTEN_HOST}:${settings.API_PORT}: ${err.message}`);
      process.exit(1);
    }
    announceReady(`[api] listening on http://${settings.LISTEN_HOST}:${settings.API_PORT}`);
  });
  onShutdown('api', async () => {
    const closed = new Promise((r) => server.close(r));
    server.closeIdleConnections();
    await closed;
    clearInterval(sweepKeys);
    await workflowStarter.stop();
    await registry.close();
    await tenantServer.end({ timeout: 5 });
    await connection.close();
  });
}

main().catch((err) => {
  console.error('[api] failed:', err);
  process.exit(1);
});
