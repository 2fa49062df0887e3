import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { WorkflowStarter } from '../api/workflow-starter';
import type { LifecycleClient } from '../api/lifecycle-client';
import { mintTenantId } from '../api/tenant-id';
import { eventually } from './support/http';
import type { TenantIdentity } from '../workflows/contract';

describe('starting the workflows of accepted tenants', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
    // Only the starters under test may take rows from this registry.
    await platform.workflowStarter.stop();
  });

  after(async function () {
    await platform?.stop();
  });

  async function acceptTenant(): Promise<TenantIdentity> {
    const identity: TenantIdentity = { tenantId: mintTenantId(), name: 'Starter', slug: `starter-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`, plan: 'team', adminEmail: 'a@b.example', createdBy: 'test' };
    await platform.sql`INSERT INTO tenants (id, name, slug, plan, admin_email, created_by) VALUES (${identity.tenantId}, ${identity.name}, ${identity.slug}, 'team', ${identity.adminEmail}, 'test')`;
    await platform.sql`INSERT INTO workflow_starts (tenant_id, identity) VALUES (${identity.tenantId}, ${platform.sql.json({ ...identity })})`;
    return identity;
  }

  const pending = async (tenantId: string) =>
    (await platform.sql<{ attempts: number; lastError: string | null }[]>`SELECT attempts, last_error AS "lastError" FROM workflow_starts WHERE tenant_id = ${tenantId}`)[0];

  it('keeps a start that Temporal refused and tries it again later, then forgets it once started', async function () {
    let down = true;
    const started: string[] = [];
    const lifecycle = {
      async start(t: TenantIdentity) {
        if (down) throw new Error('14 UNAVAILABLE: connection refused');
        started.push(t.tenantId);
      },
    } as unknown as LifecycleClient;
    const starter = new WorkflowStarter(platform.sql, lifecycle, { pollMs: 100 });
    const tenant = await acceptTenant();
    starter.start();
    try {
      const failed = await eventually(async () => ((await pending(tenant.tenantId))?.attempts ?? 0) >= 1 && pending(tenant.tenantId), { timeoutMs: 10_000 });
      assert.match(String(failed!.lastError), /UNAVAILABLE/);
      assert.deepEqual(started, []);
      down = false;
      await eventually(async () => (await pending(tenant.tenantId)) === undefined, { timeoutMs: 10_000, what: 'the start to be retried' });
      assert.deepEqual(started, [tenant.tenantId]);
    } finally {
      await starter.stop();
    }
  });

  it('counts a workflow that already exists as started', async function () {
    const lifecycle = {
      async start() {
        throw new WorkflowExecutionAlreadyStartedError('already started', 'tenant-x', 'tenantLifecycle');
      },
    } as unknown as LifecycleClient;
    const starter = new WorkflowStarter(platform.sql, lifecycle, { pollMs: 100 });
    const tenant = await acceptTenant();
    starter.start();
    try {
      await eventually(async () => (await pending(tenant.tenantId)) === undefined, { timeoutMs: 10_000 });
    } finally {
      await starter.stop();
    }
  });
});
