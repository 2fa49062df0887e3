import type { StepContext } from './context';
import type { Pipeline, StepName, TenantStatus } from '../workflows/contract';

export interface TransitionRecord {
  tenantId: string;
  actor: string;
  /** e.g. `tenant.suspended`, `tenant.retry_requested`, `step.failed`. */
  action: string;
  outcome: 'succeeded' | 'failed' | 'requested';
  /** The new status, when the action changes it. */
  status?: TenantStatus;
  step?: StepName;
  pipeline?: Pipeline;
  error?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

/**
 * The one place a staff action or a lifecycle decision of the workflow reaches the
 * registry: the tenant's status and the audit event change together or not at all.
 */
export async function recordTransition(ctx: StepContext, t: TransitionRecord): Promise<void> {
  await ctx.registry.sql.begin(async (tx) => {
    if (t.status) {
      const failed = t.status === 'failed';
      await tx`
        UPDATE tenants SET
          status = ${t.status},
          updated_at = now(),
          suspension_reason = ${t.status === 'suspended' ? (t.reason ?? null) : null},
          failed_pipeline = ${failed ? (t.pipeline ?? null) : null},
          failed_step = ${failed ? (t.step ?? null) : null},
          failure_reason = ${failed ? (t.error ?? null) : null},
          deleted_at = CASE WHEN ${t.status}::text = 'deleted' THEN coalesce(deleted_at, now()) ELSE deleted_at END
        WHERE id = ${t.tenantId}`;
    }
    if (t.status === 'failed' && t.step && t.pipeline) {
      await tx`UPDATE step_runs SET status = 'failed', finished_at = now()
               WHERE tenant_id = ${t.tenantId} AND pipeline = ${t.pipeline} AND step = ${t.step}`;
    }
    const details = { ...(t.details ?? {}), ...(t.reason ? { reason: t.reason } : {}), ...(t.pipeline ? { pipeline: t.pipeline } : {}), ...(t.status ? { status: t.status } : {}) };
    await tx`
      INSERT INTO audit_events (tenant_id, actor, action, step, outcome, error, details)
      VALUES (${t.tenantId}, ${t.actor}, ${t.action}, ${t.step ?? null}, ${t.outcome}, ${t.error ?? null}, ${tx.json(details)})`;
  });
}
