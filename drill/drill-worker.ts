import { createInterface } from 'node:readline';
import { NativeConnection } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { installTemporalLogging, requireSetting } from '../config/process';
import { ScriptedFaults } from '../activities/fault-injection';
import { stepContextFromSettings } from '../worker/step-context';
import { createLifecycleWorker } from '../worker/create-worker';
import { HELD_PREFIX, READY_LINE, RELEASE_COMMAND, type DrillWorkerScript } from './worker-protocol';

/**
 * The worker the fault drills run: the production worker (same settings, same activities,
 * same worker options) with a scripted fault injector that holds chosen steps so the
 * harness can SIGKILL it mid-step. Only this drill entry point builds one; worker/main.ts
 * has no way to.
 */
async function main() {
  const script = JSON.parse(process.argv[2] ?? '{}') as DrillWorkerScript;
  const faults = new ScriptedFaults();
  for (const hold of script.holds) faults.hold(hold.step, { slug: hold.slug, phase: hold.phase, times: 1 });
  faults.onHold = (held) => process.stdout.write(`${HELD_PREFIX}${JSON.stringify(held)}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === RELEASE_COMMAND) faults.release();
  });

  const settings = loadSettings();
  installTemporalLogging(settings);
  const connection = await NativeConnection.connect({ address: requireSetting(settings, 'TEMPORAL_ADDRESS') });
  const context = stepContextFromSettings(settings, faults);
  const worker = await createLifecycleWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    context,
    workflowBundle: { codePath: script.workflowBundlePath },
  });
  // The SDK stops polling and drains on SIGTERM/SIGINT by itself.
  process.stdout.write(`${READY_LINE}\n`);
  await worker.run();
  await context.close();
  await connection.close();
  process.exit(0); // stdin, which the harness keeps open, would keep the process alive
}

main().catch((err) => {
  console.error('[drill-worker] failed:', err);
  process.exit(1);
});
