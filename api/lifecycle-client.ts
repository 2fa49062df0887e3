import { Client, WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  OPERATION_CONFLICT,
  workflowIdOf,
  type DeprovisionRequest,
  type OperationResult,
  type StaffAction,
  type SuspendRequest,
  type TenantIdentity,
  type TenantWorkflowInput,
} from '../workflows/contract';
import { TENANT_ID, TENANT_PLAN, TENANT_SLUG, TENANT_STATUS } from '../workflows/search-attributes';
import { deprovisionUpdate, resumeUpdate, retryUpdate, suspendUpdate, tenantLifecycle } from '../workflows/tenant-lifecycle';
import { Problem } from './problem';

/** The API's only way to act on a tenant: through its workflow, the tenant's single writer. */
export class LifecycleClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    private readonly workflowOptions: Pick<TenantWorkflowInput, 'stepRetry' | 'continueAsNewAfterEvents'> = {},
  ) {}

  async start(tenant: TenantIdentity): Promise<void> {
    await this.client.workflow.start(tenantLifecycle, {
      workflowId: workflowIdOf(tenant.tenantId),
      taskQueue: this.taskQueue,
      args: [{ tenant, ...this.workflowOptions }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      typedSearchAttributes: [
        { key: TENANT_ID, value: tenant.tenantId },
        { key: TENANT_SLUG, value: tenant.slug },
        { key: TENANT_STATUS, value: 'provisioning' },
        { key: TENANT_PLAN, value: tenant.plan },
      ],
    });
  }

  suspend(tenantId: string, req: SuspendRequest): Promise<OperationResult> {
    return this.update(tenantId, () => this.handle(tenantId).executeUpdate(suspendUpdate, { args: [req] }));
  }

  resume(tenantId: string, req: StaffAction): Promise<OperationResult> {
    return this.update(tenantId, () => this.handle(tenantId).executeUpdate(resumeUpdate, { args: [req] }));
  }

  retry(tenantId: string, req: StaffAction): Promise<OperationResult> {
    return this.update(tenantId, () => this.handle(tenantId).executeUpdate(retryUpdate, { args: [req] }));
  }

  deprovision(tenantId: string, req: DeprovisionRequest): Promise<OperationResult> {
    return this.update(tenantId, () => this.handle(tenantId).executeUpdate(deprovisionUpdate, { args: [req] }));
  }

  private handle(tenantId: string) {
    return this.client.workflow.getHandle(workflowIdOf(tenantId));
  }

  /**
   * Turns the workflow's refusal into the API's answer: 409 for an operation that does
   * not fit the state. A refusal because a status change is still being recorded is
   * momentary, so it is asked again for a few seconds before it counts.
   */
  private async update(tenantId: string, run: () => Promise<OperationResult>): Promise<OperationResult> {
    const deadline = Date.now() + IN_PROGRESS_PATIENCE_MS;
    for (;;) {
      try {
        return await run();
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal?.inProgress && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        throw this.toProblem(tenantId, err);
      }
    }
  }

  private toProblem(tenantId: string, err: unknown): unknown {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const failure = err.cause;
      if (failure.type === OPERATION_CONFLICT) {
        return Problem.conflict(failure.message, { currentStatus: refusalOf(err)?.status });
      }
      if (failure.type === 'ConfirmationMismatch') {
        return Problem.validation([{ field: 'confirmSlug', reason: failure.message }]);
      }
    }
    if (err instanceof WorkflowNotFoundError) {
      return Problem.conflict(`tenant ${tenantId} has no running lifecycle workflow`);
    }
    return err;
  }
}

const IN_PROGRESS_PATIENCE_MS = 5000;

function refusalOf(err: unknown): { status?: string; inProgress?: boolean } | null {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return null;
  if (err.cause.type !== OPERATION_CONFLICT) return null;
  return (err.cause.details?.[0] as { status?: string; inProgress?: boolean } | undefined) ?? {};
}
