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
    // Steps are local activities (workflows/tenant-lifecycle.ts): a workflow task stays
    // open while its steps run, so workflow tasks and local activities get the same 50
    // slots that remote activities had.
    maxConcurrentActivityTaskExecutions: 50,
    maxConcurrentLocalActivityExecutions: 50,
    maxConcurrentWorkflowTaskExecutions: 50,
  });
}
