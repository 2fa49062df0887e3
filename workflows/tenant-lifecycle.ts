import {
  ActivityFailure,
  ApplicationFailure,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LifecycleActivities } from '../activities';
import {
  DEFAULT_STEP_RETRY,
  OPERATION_CONFLICT,
  PERMANENT_ERROR_TYPES,
  STEPS_OF,
  type DeprovisionRequest,
  type OperationResult,
  type Pipeline,
  type StaffAction,
  type StepName,
  type SuspendRequest,
  type TenantStatus,
  type TenantWorkflowInput,
  type TenantWorkflowState,
} from './contract';
import { TENANT_STATUS, TENANT_STEP } from './search-attributes';

export const suspendUpdate = defineUpdate<OperationResult, [SuspendRequest]>('suspend');
export const resumeUpdate = defineUpdate<OperationResult, [StaffAction]>('resume');
export const retryUpdate = defineUpdate<OperationResult, [StaffAction]>('retry');
export const deprovisionUpdate = defineUpdate<OperationResult, [DeprovisionRequest]>('deprovision');
/** For staff in the Temporal Web UI: a `retry` signal with no payload retries a failed tenant. */
export const retrySignal = defineSignal<[]>('retry');
export const stateQuery = defineQuery<TenantWorkflowState>('state');

const WORKFLOW_ACTOR = 'system:workflow';
const WEB_UI_ACTOR = 'staff:temporal-web-ui';

/**
 * The single writer of one tenant (workflow id `tenant-<id>`): provisions it, then serves
 * staff operations until it is torn down. Steps are activities run in the order of
 * `STEPS_OF`; after a step runs out of retries the tenant is `failed` and the workflow
 * waits for a retry, which resumes from the first step not yet completed.
 */
export async function tenantLifecycle(input: TenantWorkflowInput): Promise<OperationResult> {
  const { tenant } = input;
  const state: TenantWorkflowState = input.state ?? {
    status: 'provisioning',
    pipeline: 'provision',
    completedSteps: [],
    failure: null,
    suspensionReason: null,
  };
  const retry = input.stepRetry ?? DEFAULT_STEP_RETRY;
  // Steps are local activities: they run in the worker that runs this workflow and are
  // recorded as markers when its workflow task completes, so a whole pipeline takes a few
  // workflow tasks instead of two round trips through the server per step (about 4× the
  // tenants per second on the dev server: README, "Performance"). If
  // the worker dies mid-step, its workflow task times out, another worker replays the
  // history and runs the unrecorded step again, which every step is built to allow.
  const steps = proxyLocalActivities<LifecycleActivities>({
    startToCloseTimeout: '2 minutes',
    // A retry is a timer in the workflow, not a wait inside its workflow task: while a
    // step backs off, the workflow stays free to answer staff operations at once.
    localRetryThreshold: 100,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      maximumInterval: retry.maximumIntervalMs,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: [...PERMANENT_ERROR_TYPES],
    },
  });
  // Bookkeeping must land eventually, whatever it takes: no attempt limit.
  const { recordTransition } = proxyLocalActivities<LifecycleActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let operationInProgress = false;

  const setStatus = (status: TenantStatus, step: StepName | null = null) => {
    state.status = status;
    upsertSearchAttributes([
      { key: TENANT_STATUS, value: status },
      { key: TENANT_STEP, value: step },
    ]);
  };

  const refuse = (message: string, inProgress = false): never => {
    throw ApplicationFailure.create({ type: OPERATION_CONFLICT, message, nonRetryable: true, details: [{ status: state.status, inProgress }] });
  };
  const requireStatus = (allowed: TenantStatus[], what: string) => {
    // Also true while a status change is being written to the registry, so a caller who
    // already sees the new status there is told to try again rather than refused.
    if (operationInProgress) refuse(`another change to this tenant is being recorded`, true);
    if (!allowed.includes(state.status)) refuse(`${what}; the tenant is ${state.status}`);
  };

  /** Runs a status change (registry write, then state) while no operation may start. */
  const exclusively = async (fn: () => Promise<void>): Promise<OperationResult> => {
    operationInProgress = true;
    try {
      await fn();
      return { status: state.status };
    } finally {
      operationInProgress = false;
    }
  };

  const beginRetry = (actor: string) =>
    exclusively(async () => {
      const pipeline = state.pipeline ?? 'provision';
      const resumed: TenantStatus = pipeline === 'provision' ? 'provisioning' : 'deprovisioning';
      await recordTransition({
        tenantId: tenant.tenantId,
        actor,
        action: 'tenant.retry_requested',
        outcome: 'requested',
        status: resumed,
        pipeline,
        step: state.failure?.step,
      });
      state.failure = null;
      setStatus(resumed);
    });

  setHandler(stateQuery, () => state);

  setHandler(
    suspendUpdate,
    (req) =>
      exclusively(async () => {
        await recordTransition({ tenantId: tenant.tenantId, actor: req.actor, action: 'tenant.suspended', outcome: 'succeeded', status: 'suspended', reason: req.reason });
        state.suspensionReason = req.reason;
        setStatus('suspended');
      }),
    { validator: (_req) => requireStatus(['active'], 'only an active tenant can be suspended') },
  );

  setHandler(
    resumeUpdate,
    (req) =>
      exclusively(async () => {
        await recordTransition({ tenantId: tenant.tenantId, actor: req.actor, action: 'tenant.resumed', outcome: 'succeeded', status: 'active' });
        state.suspensionReason = null;
        setStatus('active');
      }),
    { validator: (_req) => requireStatus(['suspended'], 'only a suspended tenant can be resumed') },
  );

  setHandler(retryUpdate, (req) => beginRetry(req.actor), {
    validator: (_req) => requireStatus(['failed'], 'only a failed tenant can be retried'),
  });

  setHandler(retrySignal, async () => {
    // Staff may send it the moment the registry shows `failed`, while that status is still
    // being recorded: wait for the recording rather than lose the signal. A signal cannot
    // be refused, so one that still does not fit the state is ignored.
    await condition(() => !operationInProgress);
    if (state.status === 'failed') await beginRetry(WEB_UI_ACTOR);
  });

  setHandler(
    deprovisionUpdate,
    (req) =>
      exclusively(async () => {
        await recordTransition({
          tenantId: tenant.tenantId,
          actor: req.actor,
          action: 'tenant.deprovision_requested',
          outcome: 'requested',
          status: 'deprovisioning',
          reason: req.reason,
          details: { from: state.status },
        });
        state.pipeline = 'deprovision';
        state.completedSteps = [];
        state.failure = null;
        setStatus('deprovisioning');
      }),
    {
      validator: (req) => {
        requireStatus(['active', 'suspended', 'failed'], 'only an active, suspended or failed tenant can be de-provisioned');
        if (state.pipeline === 'deprovision') refuse('de-provisioning was already requested; retry it instead');
        if (req.confirmSlug !== tenant.slug) {
          throw ApplicationFailure.create({ type: 'ConfirmationMismatch', message: 'the confirmation does not match the tenant slug', nonRetryable: true });
        }
      },
    },
  );

  /** Runs a pipeline from its first incomplete step; false when a step ran out of retries. */
  const runPipeline = async (pipeline: Pipeline): Promise<boolean> => {
    for (const step of STEPS_OF[pipeline]) {
      if (state.completedSteps.includes(step)) continue;
      upsertSearchAttributes([{ key: TENANT_STEP, value: step }]);
      try {
        await steps[step](tenant);
      } catch (err) {
        // A remote activity's failure arrives wrapped in an ActivityFailure; a local
        // activity's arrives as the step's own ApplicationFailure (or a TimeoutFailure).
        // Anything else is a bug in this code: rethrown, it fails the workflow task, not the tenant.
        const failure = err instanceof ActivityFailure ? (err.cause ?? err) : err;
        if (!(failure instanceof TemporalFailure)) throw err;
        const message = failure.message;
        const type = failure instanceof ApplicationFailure ? (failure.type ?? null) : null;
        await exclusively(async () => {
          await recordTransition({
            tenantId: tenant.tenantId,
            actor: WORKFLOW_ACTOR,
            action: 'step.failed',
            outcome: 'failed',
            status: 'failed',
            step,
            pipeline,
            error: message,
            details: { errorType: type },
          });
          state.failure = { pipeline, step, message, type };
          setStatus('failed', step);
        });
        return false;
      }
      state.completedSteps.push(step);
    }
    return true;
  };

  const isRunning = () => state.status === 'provisioning' || state.status === 'deprovisioning';
  const historyIsLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  for (;;) {
    if (isRunning()) {
      const pipeline = state.pipeline ?? 'provision';
      state.pipeline = pipeline;
      if (await runPipeline(pipeline)) {
        const done: TenantStatus = pipeline === 'provision' ? 'active' : 'deleted';
        await exclusively(async () => {
          await recordTransition({
            tenantId: tenant.tenantId,
            actor: WORKFLOW_ACTOR,
            action: pipeline === 'provision' ? 'tenant.activated' : 'tenant.deleted',
            outcome: 'succeeded',
            status: done,
          });
          state.pipeline = null;
          state.completedSteps = [];
          setStatus(done);
        });
        if (done === 'deleted') {
          await condition(allHandlersFinished);
          return { status: 'deleted' };
        }
      }
    }
    await condition(() => isRunning() || (historyIsLong() && !operationInProgress));
    if (!isRunning()) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof tenantLifecycle>({ ...input, state });
    }
    // A retry or de-provisioning was just accepted. Its answer leaves when this workflow
    // task completes, which is after the local-activity steps that start in it: usually
    // the whole pipeline (a fraction of a second), at most about the workflow task timeout
    // when a step is slow or retrying, since the SDK then completes the task to heartbeat
    // it. Closing the task first on a timer would cost a second on the dev server.
  }
}
