import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type postgres from 'postgres';
import type { TenantIdentity } from '../workflows/contract';
import type { LifecycleClient } from './lifecycle-client';

/** Starts waiting at most this many workflows at once per pass. */
const BATCH = 50;
/** A failed start is tried again after 1 s, 2 s, 4 s … up to this. */
const MAX_BACKOFF_S = 30;

/**
 * Starts the workflows of tenants the API has accepted (rows in `workflow_starts`, written
 * in the tenant's own transaction). The API kicks it after each commit, so a start
 * normally follows within milliseconds; it also looks every `pollMs` for rows another API
 * process left behind (it died after its commit) or whose start failed (Temporal was
 * down). `FOR UPDATE SKIP LOCKED` lets several API processes share the table. A workflow
 * that already exists counts as started: its id is the tenant's.
 */
export class WorkflowStarter {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly lifecycle: LifecycleClient,
    private readonly opts: { pollMs?: number; log?: (line: string) => void } = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.kick();
      this.timer = setTimeout(tick, this.opts.pollMs ?? 1000);
    };
    tick();
  }

  /** Starts whatever is due now; a kick during a pass makes another pass follow it. */
  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      do {
        this.again = false;
        try {
          while (!this.stopped && (await this.pass()) === BATCH);
        } catch (err) {
          // The registry is unreachable: the next tick tries again.
          this.opts.log?.(`workflow starter: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.draining = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.draining;
  }

  /** One batch in one transaction, whose row locks keep other starters off these tenants. */
  private pass(): Promise<number> {
    return this.sql.begin(async (tx) => {
      const due = await tx<{ tenantId: string; identity: TenantIdentity; attempts: number }[]>`
        SELECT tenant_id AS "tenantId", identity, attempts FROM workflow_starts
        WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`;
      const outcomes = await Promise.allSettled(due.map((row) => this.lifecycle.start(row.identity)));
      const started: string[] = [];
      for (const [i, outcome] of outcomes.entries()) {
        const row = due[i]!;
        if (outcome.status === 'fulfilled' || outcome.reason instanceof WorkflowExecutionAlreadyStartedError) {
          started.push(row.tenantId);
          continue;
        }
        const delay = Math.min(MAX_BACKOFF_S, 2 ** row.attempts);
        await tx`
          UPDATE workflow_starts SET attempts = attempts + 1, last_error = ${String((outcome.reason as Error)?.message ?? outcome.reason)},
            next_attempt_at = now() + make_interval(secs => ${delay})
          WHERE tenant_id = ${row.tenantId}`;
      }
      if (started.length > 0) await tx`DELETE FROM workflow_starts WHERE tenant_id IN ${tx(started)}`;
      return due.length;
    });
  }
}
