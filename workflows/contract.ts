/**
 * What the tenant workflow, its activities and the API agree on. Pure data and types,
 * so that the workflow bundle can import it.
 */

export type TenantStatus = 'provisioning' | 'active' | 'suspended' | 'deprovisioning' | 'deleted' | 'failed';
export type Pipeline = 'provision' | 'deprovision';

/** Everything a tenant's resources are derived from; minted by the API before anything exists. */
export interface TenantIdentity {
  tenantId: string;
  name: string;
  slug: string;
  plan: string;
  adminEmail: string;
  /** The actor who asked for the tenant (a staff member or the signup service). */
  createdBy: string;
}

/** Ordered steps: the workflow runs them in this order and resumes from the first incomplete one. */
export const PROVISIONING_STEPS = [
  'registry',
  'createDatabase',
  'migrate',
  'storage',
  'routing',
  'email',
  'seed',
  'activate',
] as const;
export type ProvisioningStep = (typeof PROVISIONING_STEPS)[number];

/** Provisioning in reverse: nothing routes to the tenant before its data goes. */
export const TEARDOWN_STEPS = ['revokeRouting', 'deleteStorage', 'dropDatabase', 'removeInboundAddress', 'markDeleted'] as const;
export type TeardownStep = (typeof TEARDOWN_STEPS)[number];

export type StepName = ProvisioningStep | TeardownStep;

export const STEPS_OF: Record<Pipeline, readonly StepName[]> = {
  provision: PROVISIONING_STEPS,
  deprovision: TEARDOWN_STEPS,
};

export function workflowIdOf(tenantId: string): string {
  return `tenant-${tenantId}`;
}

export const TASK_QUEUE_DEFAULT = 'tenant-lifecycle';

/** Error types a step throws that retrying cannot fix. */
export const PERMANENT_ERROR_TYPES = ['ResourceConflict', 'InvalidTenant', 'InjectedPermanentFault'] as const;

/** Error type of a refused operation (the API answers 409). */
export const OPERATION_CONFLICT = 'OperationConflict';

export interface StaffAction {
  actor: string;
}
export interface SuspendRequest extends StaffAction {
  reason: string;
}
export interface DeprovisionRequest extends StaffAction {
  /** The tenant's slug typed back by the person asking. */
  confirmSlug: string;
  reason?: string;
}

export interface StepRetryOptions {
  maximumAttempts: number;
  initialIntervalMs: number;
  maximumIntervalMs: number;
}

export const DEFAULT_STEP_RETRY: StepRetryOptions = { maximumAttempts: 5, initialIntervalMs: 1000, maximumIntervalMs: 15_000 };

export interface TenantFailure {
  pipeline: Pipeline;
  step: StepName;
  message: string;
  type: string | null;
}

/** The workflow's whole state: what continue-as-new carries to the next run. */
export interface TenantWorkflowState {
  status: TenantStatus;
  /** The pipeline that is running, or that failed and waits for a retry. */
  pipeline: Pipeline | null;
  completedSteps: StepName[];
  failure: TenantFailure | null;
  suspensionReason: string | null;
}

export interface TenantWorkflowInput {
  tenant: TenantIdentity;
  stepRetry?: StepRetryOptions;
  /**
   * Continue as new once the history is this long, besides whenever Temporal suggests it.
   * Tests set it low to exercise continue-as-new; production leaves it unset.
   */
  continueAsNewAfterEvents?: number;
  /** Present when continuing as new. */
  state?: TenantWorkflowState;
}

/** The answer to every operation: the state after it was applied. */
export interface OperationResult {
  status: TenantStatus;
}
