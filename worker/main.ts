import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { loadSecretKey } from '../config/secret-box';
import { announceReady, installTemporalLogging, requireSetting } from '../config/process';
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
    inboundEmailDomain: settings.INBOUND_EMAIL_DOMAIN,
  });
  const worker = await createLifecycleWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    context,
  });
  // The SDK drains in-flight tasks on SIGINT/SIGTERM before run() resolves.
  const running = worker.run();
  // run() starts the pollers before its first await; the state says so once it has.
  while (worker.getState() === 'INITIALIZED') await new Promise((r) => setImmediate(r));
  if (worker.getState() === 'RUNNING') announceReady(`[worker] polling task queue ${settings.TEMPORAL_TASK_QUEUE} on ${settings.TEMPORAL_ADDRESS}`);
  await running;
  await context.close();
  await connection.close();
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
