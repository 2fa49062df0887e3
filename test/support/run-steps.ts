import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { PROVISIONING_STEPS, type TenantIdentity } from '../../workflows/contract';
import type { TestPlatform } from './platform';

/** The tenant's identity as its workflow was started with it. */
export async function identityOf(platform: TestPlatform, tenantId: string): Promise<TenantIdentity> {
  const [row] = await platform.sql<TenantIdentity[]>`
    SELECT id AS "tenantId", name, slug, plan, admin_email AS "adminEmail", created_by AS "createdBy" FROM tenants WHERE id = ${tenantId}`;
  if (!row) throw new Error(`no tenant ${tenantId}`);
  return { ...row };
}

/** Runs every provisioning step's activity once more, outside any workflow, as a retry would. */
export async function runStepsAgain(platform: TestPlatform, tenantId: string, steps: readonly string[] = PROVISIONING_STEPS): Promise<void> {
  const activities = createActivities(platform.context) as unknown as Record<string, (t: TenantIdentity) => Promise<void>>;
  const identity = await identityOf(platform, tenantId);
  const env = new MockActivityEnvironment({ attempt: 2 });
  for (const step of steps) await env.run(activities[step]!, identity);
}
