import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { StepContext } from '../activities/context';

export interface LifecycleWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  context: StepContext;
  /** Prebuilt workflow bundle (tests share one); otherwise bundled from workflows/. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** The worker that runs tenant workflows and their step activities. */
export function createLifecycleWorker(opts: LifecycleWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.context),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxConcurrentActivityTaskExecutions: 50,
    // Send step heartbeats at least this often, well inside STEP_HEARTBEAT_TIMEOUT_MS
    // (the SDK's default throttle, 80% of the timeout, leaves little margin on a busy machine).
    maxHeartbeatThrottleInterval: '2 seconds',
  });
}
