import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { STEPS_OF, type Pipeline, type TenantIdentity } from '../workflows/contract';
import type { StepContext } from './context';
import { PermanentStepError } from './errors';
import { InjectedFault } from './fault-injection';
import type { Step } from './step';

const WORKER_ACTOR = 'system:worker';

/**
 * Wraps a step as an activity: every attempt's start, success and failure goes to the
 * step record and the audit trail before Temporal hears of it, and a permanent step
 * error becomes a non-retryable failure so that Temporal does not retry it.
 */
export function recordedStep(ctx: StepContext, pipeline: Pipeline, step: Step) {
  const position = STEPS_OF[pipeline].indexOf(step.name);
  return (tenant: TenantIdentity): Promise<void> => runRecorded(ctx, pipeline, step, position, Context.current().info.attempt, tenant);
}

async function runRecorded(ctx: StepContext, pipeline: Pipeline, step: Step, position: number, attempt: number, tenant: TenantIdentity): Promise<void> {
  const { sql } = ctx.registry;
  const started = Date.now();
  // One statement each for the start and the end of an attempt (data-modifying CTEs
  // always run): atomic like a transaction, at a quarter of its round trips.
  await sql`
    WITH run AS (
      INSERT INTO step_runs (tenant_id, pipeline, step, position, status, attempts)
      VALUES (${tenant.tenantId}, ${pipeline}, ${step.name}, ${position}, 'running', ${attempt})
      ON CONFLICT (tenant_id, pipeline, step) DO UPDATE
        SET status = 'running', attempts = step_runs.attempts + 1, started_at = now(), finished_at = NULL, duration_ms = NULL
    )
    INSERT INTO audit_events (tenant_id, actor, action, step, outcome, details)
    VALUES (${tenant.tenantId}, ${WORKER_ACTOR}, 'step.started', ${step.name}, 'started', ${sql.json({ pipeline, attempt })})`;
  try {
    await ctx.faults.beforeStep(step.name, tenant.slug);
    await step.apply(ctx, tenant);
    await ctx.faults.afterStep(step.name, tenant.slug);
  } catch (err) {
    const failure = toFailure(err);
    await sql.begin(async (tx) => {
      await tx`
        UPDATE step_runs SET last_error = ${failure.message}, last_error_type = ${failure.type ?? null}, duration_ms = ${Date.now() - started}
        WHERE tenant_id = ${tenant.tenantId} AND pipeline = ${pipeline} AND step = ${step.name}`;
      await tx`
        INSERT INTO audit_events (tenant_id, actor, action, step, outcome, error, details)
        VALUES (${tenant.tenantId}, ${WORKER_ACTOR}, 'step.attempt_failed', ${step.name}, 'failed', ${failure.message},
                ${tx.json({ pipeline, attempt, errorType: failure.type ?? null, permanent: failure.nonRetryable })})`;
    });
    throw failure;
  }
  await sql`
    WITH run AS (
      UPDATE step_runs SET status = 'completed', finished_at = now(), duration_ms = ${Date.now() - started}
      WHERE tenant_id = ${tenant.tenantId} AND pipeline = ${pipeline} AND step = ${step.name}
    )
    INSERT INTO audit_events (tenant_id, actor, action, step, outcome, details)
    VALUES (${tenant.tenantId}, ${WORKER_ACTOR}, 'step.completed', ${step.name}, 'succeeded',
            ${sql.json({ pipeline, attempt, durationMs: Date.now() - started })})`;
}

function toFailure(err: unknown): ApplicationFailure {
  if (err instanceof PermanentStepError) return ApplicationFailure.nonRetryable(err.message, err.type);
  if (err instanceof InjectedFault) {
    return err.permanent
      ? ApplicationFailure.nonRetryable(err.message, 'InjectedPermanentFault')
      : ApplicationFailure.retryable(err.message, 'InjectedFault');
  }
  const message = err instanceof Error ? err.message : String(err);
  const type = err instanceof Error ? ((err as { code?: string }).code ? `${err.name}:${(err as { code?: string }).code}` : err.name) : 'Error';
  return ApplicationFailure.retryable(message, type);
}
