import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  OPERATION_CONFLICT,
  workflowIdOf,
  type DeprovisionRequest,
  type OperationResult,
  type StaffAction,
  type SuspendRequest,
  type TenantIdentity,
  type TenantStatus,
  type TenantWorkflowInput,
  type TenantWorkflowState,
} from '../workflows/contract';
import { TENANT_ID, TENANT_PLAN, TENANT_SLUG, TENANT_STATUS } from '../workflows/search-attributes';
import { deprovisionUpdate, resumeUpdate, retryUpdate, suspendUpdate, tenantLifecycle } from '../workflows/tenant-lifecycle';
import { Problem } from './problem';
import type { TenantRow } from './tenant-queries';

/** How long the API waits for Temporal to accept a new workflow, and to answer an operation. */
const START_DEADLINE_MS = 5_000;
const UPDATE_DEADLINE_MS = 20_000;
/** How long a refusal "a status change is being recorded" is asked again before it counts. */
const IN_PROGRESS_PATIENCE_MS = 5_000;

type Operation = (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<OperationResult>;

/** The API's only way to act on a tenant: through its workflow, the tenant's single writer. */
export class LifecycleClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly workflowOptions: Pick<TenantWorkflowInput, 'stepRetry' | 'continueAsNewAfterEvents'> = {},
  ) {}

  /**
   * Starts a new tenant's workflow (called by the WorkflowStarter, from the outbox the
   * API fills). Bounded, so a Temporal that does not answer fails the attempt, to be
   * tried again, rather than hanging the starter.
   */
  async start(tenant: TenantIdentity): Promise<void> {
    await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      this.client.workflow.start(tenantLifecycle, {
        workflowId: workflowIdOf(tenant.tenantId),
        taskQueue: this.taskQueue,
        args: [{ tenant, ...this.workflowOptions }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: searchAttributesOf(tenant, 'provisioning'),
      }),
    );
  }

  suspend(tenant: TenantRow, req: SuspendRequest): Promise<OperationResult> {
    return this.operate(tenant, (h) => h.executeUpdate(suspendUpdate, { args: [req] }));
  }

  resume(tenant: TenantRow, req: StaffAction): Promise<OperationResult> {
    return this.operate(tenant, (h) => h.executeUpdate(resumeUpdate, { args: [req] }));
  }

  retry(tenant: TenantRow, req: StaffAction): Promise<OperationResult> {
    return this.operate(tenant, (h) => h.executeUpdate(retryUpdate, { args: [req] }));
  }

  deprovision(tenant: TenantRow, req: DeprovisionRequest): Promise<OperationResult> {
    return this.operate(tenant, (h) => h.executeUpdate(deprovisionUpdate, { args: [req] }));
  }

  /**
   * Asks the tenant's workflow to apply an operation. A refusal because a status change
   * is still being recorded is momentary and asked again; a workflow that has ended
   * without the tenant being deleted (terminated from the Web UI, say) is started again
   * from the registry's record first, so that no tenant is left without its writer.
   */
  private async operate(tenant: TenantRow, operation: Operation): Promise<OperationResult> {
    const patience = Date.now() + IN_PROGRESS_PATIENCE_MS;
    let revived = false;
    for (;;) {
      try {
        const handle = this.client.workflow.getHandle(workflowIdOf(tenant.id));
        return await this.client.withDeadline(Date.now() + UPDATE_DEADLINE_MS, () => operation(handle));
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal?.inProgress && Date.now() < patience) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        if (err instanceof WorkflowNotFoundError && !revived && tenant.status !== 'deleted') {
          await this.revive(tenant);
          revived = true;
          continue;
        }
        throw toProblem(err);
      }
    }
  }

  /** A new run of the tenant's workflow carrying the registry's view of its state. */
  private async revive(tenant: TenantRow): Promise<void> {
    const identity: TenantIdentity = {
      tenantId: tenant.id,
      name: tenant.name,
      slug: tenant.slug,
      plan: tenant.plan,
      adminEmail: tenant.adminEmail,
      createdBy: tenant.createdBy,
    };
    const status = tenant.status as TenantStatus;
    const state = stateFromRegistry(tenant, status);
    try {
      await this.client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        this.client.workflow.start(tenantLifecycle, {
          workflowId: workflowIdOf(tenant.id),
          taskQueue: this.taskQueue,
          args: [{ tenant: identity, state, ...this.workflowOptions }],
          // Only a run that failed, was terminated or timed out may be followed by a new one.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          typedSearchAttributes: searchAttributesOf(identity, status),
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return; // revived concurrently
      throw unavailable('the tenant\'s workflow could not be restarted; try again', err);
    }
  }
}

/**
 * The registry's record as workflow state. Steps are idempotent, so a pipeline that was
 * running or failed resumes from its first step and skips through what is already done.
 */
function stateFromRegistry(tenant: TenantRow, status: TenantStatus): TenantWorkflowState {
  const failedPipeline = tenant.failedPipeline === 'deprovision' ? 'deprovision' : 'provision';
  const pipeline = status === 'provisioning' ? 'provision' : status === 'deprovisioning' ? 'deprovision' : status === 'failed' ? failedPipeline : null;
  return {
    status,
    pipeline,
    completedSteps: [],
    failure:
      status === 'failed' && tenant.failedStep
        ? { pipeline: failedPipeline, step: tenant.failedStep as TenantWorkflowState['completedSteps'][number], message: tenant.failureReason ?? '', type: null }
        : null,
    suspensionReason: status === 'suspended' ? tenant.suspensionReason : null,
  };
}

function searchAttributesOf(tenant: TenantIdentity, status: TenantStatus) {
  return [
    { key: TENANT_ID, value: tenant.tenantId },
    { key: TENANT_SLUG, value: tenant.slug },
    { key: TENANT_STATUS, value: status },
    { key: TENANT_PLAN, value: tenant.plan },
  ];
}

function refusalOf(err: unknown): { status?: string; inProgress?: boolean } | null {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return null;
  if (err.cause.type !== OPERATION_CONFLICT) return null;
  return (err.cause.details?.[0] as { status?: string; inProgress?: boolean } | undefined) ?? {};
}

/** The workflow's refusal as the API's answer: 409 for an operation that does not fit the state, 503 when Temporal does not answer. */
function toProblem(err: unknown): Problem {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    if (failure.type === OPERATION_CONFLICT) return Problem.conflict(failure.message, { currentStatus: refusalOf(err)?.status });
    if (failure.type === 'ConfirmationMismatch') return Problem.validation([{ field: 'confirmSlug', reason: failure.message }]);
  }
  return unavailable('the operation may or may not have been applied; check the tenant\'s status before trying again', err);
}

function unavailable(detail: string, cause: unknown): Problem {
  console.error('Temporal call failed:', cause instanceof Error ? cause.message : cause);
  return new Problem(503, 'Lifecycle service unavailable', detail, {}, { 'retry-after': '5' });
}
