import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';

/** An operation that does not fit the tenant's state is refused with 409 and changes nothing. */
describe('conflicting operations', function () {
  let platform: TestPlatform;

  before(async function () {
    // Many quick attempts, so a tenant whose step keeps failing stays `provisioning` until the fault is cleared.
    platform = await startTestPlatform({ stepRetry: { maximumAttempts: 10_000, initialIntervalMs: 100, maximumIntervalMs: 200 } });
  });
  after(async function () {
    await platform?.stop();
  });

  async function snapshot(tenantId: string) {
    const detail = await platform.api('GET', `/v1/tenants/${tenantId}`);
    const audit = await platform.api('GET', `/v1/tenants/${tenantId}/audit?limit=500`);
    const staffActions = audit.body.items.filter((e: { action: string }) => e.action.startsWith('tenant.'));
    return { status: detail.body.tenant.status, suspensionReason: detail.body.tenant.suspensionReason, staffActions };
  }

  async function expectConflict(tenantId: string, op: string, body: unknown, status: string) {
    const before = await snapshot(tenantId);
    const res = await platform.api('POST', `/v1/tenants/${tenantId}/${op}`, body);
    assert.equal(res.status, 409, `${op} on a ${status} tenant: ${JSON.stringify(res.body)}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(res.body.currentStatus, status);
    const after = await snapshot(tenantId);
    assert.deepEqual(after, before, `${op} changed nothing`);
  }

  it('while provisioning: suspend, resume, retry and de-provision are refused', async function () {
    const slug = uniqueSlug('busy');
    platform.faults.fail('seed', { slug });
    const tenant = await createTenant(platform, newTenantBody(slug));
    await waitForStatus(platform, tenant.id, 'provisioning');
    await expectConflict(tenant.id, 'suspend', { reason: 'x' }, 'provisioning');
    await expectConflict(tenant.id, 'resume', {}, 'provisioning');
    await expectConflict(tenant.id, 'retry', {}, 'provisioning');
    await expectConflict(tenant.id, 'deprovision', { confirmSlug: slug }, 'provisioning');
    platform.faults.clear();
    await waitForStatus(platform, tenant.id, 'active');
  });

  it('on an active tenant: resume and retry are refused; on a suspended one: suspend', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    await expectConflict(tenant.id, 'resume', {}, 'active');
    await expectConflict(tenant.id, 'retry', {}, 'active');
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'audit' })).status, 200);
    await expectConflict(tenant.id, 'suspend', { reason: 'again' }, 'suspended');
    await expectConflict(tenant.id, 'retry', {}, 'suspended');
  });

  it('a second de-provision, and anything on a deleted tenant, are refused', async function () {
    const slug = uniqueSlug('gone');
    const tenant = await createTenant(platform, newTenantBody(slug));
    await waitForStatus(platform, tenant.id, 'active');
    platform.faults.fail('dropDatabase', { slug });
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: slug })).status, 202);
    await waitForStatus(platform, tenant.id, 'deprovisioning');
    await expectConflict(tenant.id, 'deprovision', { confirmSlug: slug }, 'deprovisioning');
    await expectConflict(tenant.id, 'suspend', { reason: 'x' }, 'deprovisioning');
    await expectConflict(tenant.id, 'resume', {}, 'deprovisioning');
    platform.faults.clear();
    await waitForStatus(platform, tenant.id, 'deleted');
    await expectConflict(tenant.id, 'resume', {}, 'deleted');
    await expectConflict(tenant.id, 'suspend', { reason: 'x' }, 'deleted');
    await expectConflict(tenant.id, 'retry', {}, 'deleted');
    await expectConflict(tenant.id, 'deprovision', { confirmSlug: slug }, 'deleted');
  });

  it('two suspensions at the same moment: exactly one wins', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const results = await Promise.all([1, 2, 3].map((i) => platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: `race ${i}` })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
    const audit = await platform.api('GET', `/v1/tenants/${tenant.id}/audit`);
    assert.equal(audit.body.items.filter((e: { action: string }) => e.action === 'tenant.suspended').length, 1);
  });
});
