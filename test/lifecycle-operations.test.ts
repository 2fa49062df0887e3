import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';

describe('operations on a tenant whose steps run as local activities', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });

  after(async function () {
    await platform?.stop();
  });

  it('fails a tenant whose step keeps failing, then resumes it from that step on retry', async function () {
    const slug = uniqueSlug('flaky');
    platform.faults.fail('migrate', { slug });
    const tenant = await createTenant(platform, newTenantBody(slug));
    const failed = await waitForStatus(platform, tenant.id, 'failed');
    assert.equal(failed.tenant.failure.step, 'migrate');
    platform.faults.clear();
    const retry = await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {});
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    const active = await waitForStatus(platform, tenant.id, 'active');
    const createDatabase = active.steps.find((s: { step: string }) => s.step === 'createDatabase');
    assert.equal(createDatabase.attempts, 1, 'completed steps are not run again');
  });

  it('suspends, resumes and de-provisions an active tenant, accepting each as soon as the tenant shows active', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const suspend = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'billing' });
    assert.equal(suspend.status, 200, JSON.stringify(suspend.body));
    assert.equal(suspend.body.tenant.status, 'suspended');
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/resume`, {})).body.tenant.status, 'active');
    const deprovision = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug });
    assert.equal(deprovision.status, 202, JSON.stringify(deprovision.body));
    await waitForStatus(platform, tenant.id, 'deleted');
    const again = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'x' });
    assert.equal(again.status, 409);
  });
});
