import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { loadSecretKey } from '../config/secret-box';
import { installTemporalLogging, requireSetting } from '../config/process';
import { createStepContext } from './step-context';
import { createLifecycleWorker } from './create-worker';

/** The worker process: runs tenant workflows and their steps. Scale out by running more of them. */
async function main() {
  const settings = loadSettings();
  installTemporalLogging(settings);
  const registryUrl = requireSetting(settings, 'DATABASE_URL');
  const connection = await NativeConnection.connect({ address: requireSetting(settings, 'TEMPORAL_ADDRESS') });
  const context = createStepContext({
    registryUrl,
    tenantServerUrl: settings.TENANT_DATABASE_URL ?? registryUrl,
    secretKey: loadSecretKey(settings.SECRET_KEY, settings.dataDir),
    storageRoot: settings.storageRoot,
    dataDir: settings.dataDir,
    baseDomain: settings.BASE_DOMAIN,
    gatewayPort: settings.GATEWAY_PORT,
    inboundEmailDomain: settings.INBOUND_EMAIL_DOMAIN,
  });
  const worker = await createLifecycleWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    context,
  });
  console.log(`[worker] polling task queue ${settings.TEMPORAL_TASK_QUEUE} on ${settings.TEMPORAL_ADDRESS}`);
  // The SDK drains in-flight tasks on SIGINT/SIGTERM before run() resolves.
  await worker.run();
  await context.close();
  await connection.close();
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
