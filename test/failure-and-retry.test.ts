import assert from 'node:assert/strict';
import { startTestPlatform, FAST_STEP_RETRY, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { FULLY_PROVISIONED, assertTornDown, resourceCensus } from './support/resources';
import { PROVISIONING_STEPS, TEARDOWN_STEPS, workflowIdOf } from '../workflows/contract';
import { retrySignal } from '../workflows/tenant-lifecycle';

describe('failure and retry', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });
  after(async function () {
    await platform?.stop();
  });

  /** The tenant's failure as the API shows it, once it has failed. */
  async function failedDetail(tenantId: string) {
    const detail = await waitForStatus(platform, tenantId, 'failed');
    return detail as { tenant: { failure: { pipeline: string; step: string; reason: string } }; steps: { pipeline: string; step: string; status: string; attempts: number; lastError: string }[]; audit: { action: string; step: string; error: string }[] };
  }

  describe('a provisioning step that runs out of retries leaves the tenant failed, and a retry resumes it', function () {
    for (const step of PROVISIONING_STEPS) {
      it(`at ${step}`, async function () {
        const slug = uniqueSlug(`fail-${step.toLowerCase()}`);
        platform.faults.fail(step, { slug });
        const tenant = await createTenant(platform, newTenantBody(slug));

        const detail = await failedDetail(tenant.id);
        assert.deepEqual({ ...detail.tenant.failure, reason: undefined }, { pipeline: 'provision', step, reason: undefined });
        assert.match(detail.tenant.failure.reason, /injected fault/);
        const record = detail.steps.find((s) => s.pipeline === 'provision' && s.step === step)!;
        assert.equal(record.status, 'failed');
        assert.equal(record.attempts, FAST_STEP_RETRY.maximumAttempts);
        assert.match(record.lastError, /injected fault/);
        const before = PROVISIONING_STEPS.slice(0, PROVISIONING_STEPS.indexOf(step));
        for (const done of before) assert.equal(detail.steps.find((s) => s.step === done)?.status, 'completed', `${done} completed before ${step}`);
        assert.ok(detail.audit.some((a) => a.action === 'step.failed' && a.step === step && /injected fault/.test(a.error)));

        platform.faults.clear();
        const retry = await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {});
        assert.equal(retry.status, 202);
        const active = await waitForStatus(platform, tenant.id, 'active');
        // Steps completed before the failure ran once; the failed one once more.
        for (const done of before) assert.equal(active.steps.find((s: { step: string }) => s.step === done).attempts, 1, `${done} not re-run`);
        assert.equal(active.steps.find((s: { step: string }) => s.step === step).attempts, FAST_STEP_RETRY.maximumAttempts + 1);
        assert.deepEqual(await resourceCensus(platform, tenant.id), FULLY_PROVISIONED);
        assert.ok(active.audit.some((a: { action: string; actor: string }) => a.action === 'tenant.retry_requested' && a.actor === 'token:test-admin'));
      });
    }
  });

  it('does not retry a permanent failure, and records its type', async function () {
    const slug = uniqueSlug('permanent');
    platform.faults.fail('storage', { slug, permanent: true });
    const tenant = await createTenant(platform, newTenantBody(slug));
    const detail = await failedDetail(tenant.id);
    const record = detail.steps.find((s) => s.step === 'storage')!;
    assert.equal(record.attempts, 1);
    platform.faults.clear();
    await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {});
    await waitForStatus(platform, tenant.id, 'active');
  });

  it('retries on a `retry` signal with no payload, as sent from the Temporal Web UI', async function () {
    const slug = uniqueSlug('signal');
    platform.faults.fail('migrate', { slug });
    const tenant = await createTenant(platform, newTenantBody(slug));
    await failedDetail(tenant.id);
    platform.faults.clear();
    await platform.client.workflow.getHandle(workflowIdOf(tenant.id)).signal(retrySignal);
    const active = await waitForStatus(platform, tenant.id, 'active');
    assert.ok(active.audit.some((a: { action: string; actor: string }) => a.action === 'tenant.retry_requested' && a.actor === 'staff:temporal-web-ui'));
  });

  describe('a teardown step that runs out of retries leaves the tenant failed, and a retry finishes the teardown', function () {
    for (const step of TEARDOWN_STEPS) {
      it(`at ${step}`, async function () {
        const slug = uniqueSlug(`tear-${step.toLowerCase()}`);
        const tenant = await createTenant(platform, newTenantBody(slug));
        await waitForStatus(platform, tenant.id, 'active');
        platform.faults.fail(step, { slug });
        const res = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: slug });
        assert.equal(res.status, 202);

        const detail = await failedDetail(tenant.id);
        assert.equal(detail.tenant.failure.pipeline, 'deprovision');
        assert.equal(detail.tenant.failure.step, step);
        const record = detail.steps.find((s) => s.pipeline === 'deprovision' && s.step === step)!;
        assert.equal(record.status, 'failed');
        assert.equal(record.attempts, FAST_STEP_RETRY.maximumAttempts);

        // A second de-provision is refused: the teardown is retried, not restarted.
        const again = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: slug });
        assert.equal(again.status, 409);

        platform.faults.clear();
        assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {})).status, 202);
        const deleted = await waitForStatus(platform, tenant.id, 'deleted');
        assert.ok(deleted.tenant.deletedAt);
        assertTornDown(await resourceCensus(platform, tenant.id));
      });
    }
  });
});
