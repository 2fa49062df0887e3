import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { announceReady, installTemporalLogging, requireSetting, SHUTDOWN_SIGNALS } from '../config/process';
import { stepContextFromSettings } from './step-context';
import { createLifecycleWorker } from './create-worker';

/** The worker process: runs tenant workflows and their steps. Scale out by running more of them. */
async function main() {
  const settings = loadSettings();
  // The SDK's own signal handling stops listening after the first signal, so the
  // launcher's SIGTERM that follows a terminal's Ctrl-C (SIGINT to the whole group) would
  // kill the worker mid-step. The signals are handled here instead, for as long as it runs.
  installTemporalLogging(settings, { shutdownSignals: [] });
  const state: { worker?: Worker; stopRequested?: NodeJS.Signals } = {};
  const onSignal = (signal: NodeJS.Signals) => {
    if (state.stopRequested) return;
    state.stopRequested = signal;
    if (!state.worker) process.exit(0);
    console.log(`[worker] ${signal}: finishing the steps in flight, then stopping`);
    if (state.worker.getState() === 'RUNNING') state.worker.shutdown();
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  const connection = await NativeConnection.connect({ address: requireSetting(settings, 'TEMPORAL_ADDRESS') });
  const context = stepContextFromSettings(settings);
  const worker = (state.worker = await createLifecycleWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    context,
  }));
  // Once shutdown() is called, run() resolves after the steps in flight have finished.
  const running = worker.run();
  // run() starts the pollers before its first await; the state says so once it has.
  while (worker.getState() === 'INITIALIZED') await new Promise((r) => setImmediate(r));
  if (worker.getState() === 'RUNNING') {
    // A signal that came while the worker was being made stops it now.
    if (state.stopRequested) worker.shutdown();
    else announceReady(`[worker] polling task queue ${settings.TEMPORAL_TASK_QUEUE} on ${settings.TEMPORAL_ADDRESS}`);
  }
  await running;
  await context.close();
  await connection.close();
  console.log('[worker] stopped');
}

main().catch((err) => {
  console.error('[worker] failed:', err);
  process.exit(1);
});
