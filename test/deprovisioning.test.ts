import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { assertTornDown, resourceCensus } from './support/resources';
import { gatewayGet } from './support/http';
import { PROVISIONING_STEPS, TEARDOWN_STEPS } from '../workflows/contract';

describe('de-provisioning', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });
  after(async function () {
    await platform?.stop();
  });

  async function deprovision(tenant: { id: string; slug: string }) {
    const res = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug, reason: 'offboarding' });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return waitForStatus(platform, tenant.id, 'deleted');
  }

  it('refuses a confirmation that does not match the slug, and does nothing', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const res = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: `${tenant.slug}x` });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].field, 'confirmSlug');
    const missing = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, {});
    assert.equal(missing.status, 400);
    assert.equal((await platform.api('GET', `/v1/tenants/${tenant.id}`)).body.tenant.status, 'active');
    assert.equal((await gatewayGet(platform.gatewayPort, `${tenant.slug}.localhost`)).status, 200);
  });

  it('tears an active tenant down in reverse order, keeps its row and audit trail, and its subdomain then gets 404', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const deleted = await deprovision(tenant);
    const teardown = deleted.steps.filter((s: { pipeline: string }) => s.pipeline === 'deprovision');
    assert.deepEqual(teardown.map((s: { step: string }) => s.step), [...TEARDOWN_STEPS]);
    assert.ok(teardown.every((s: { status: string }) => s.status === 'completed'));
    const order = [...teardown].sort((a: { firstStartedAt: string }, b: { firstStartedAt: string }) => Date.parse(a.firstStartedAt) - Date.parse(b.firstStartedAt));
    assert.deepEqual(order.map((s: { step: string }) => s.step), [...TEARDOWN_STEPS]);
    assertTornDown(await resourceCensus(platform, tenant.id));
    assert.ok(deleted.resources.every((r: { state: string }) => r.state === 'removed'));
    assert.ok(deleted.audit.some((a: { action: string; actor: string }) => a.action === 'tenant.deprovision_requested' && a.actor === 'token:test-admin'));
    assert.equal((await gatewayGet(platform.gatewayPort, `${tenant.slug}.localhost`)).status, 404);
  });

  it('tears a suspended tenant down', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'closing' })).status, 200);
    await deprovision(tenant);
    assertTornDown(await resourceCensus(platform, tenant.id));
  });

  describe('tears down a tenant that failed half-way, whatever subset of its resources exists', function () {
    for (const step of PROVISIONING_STEPS) {
      it(`failed at ${step}`, async function () {
        const slug = uniqueSlug(`half-${step.toLowerCase()}`);
        platform.faults.fail(step, { slug });
        const tenant = await createTenant(platform, newTenantBody(slug));
        await waitForStatus(platform, tenant.id, 'failed');
        await deprovision(tenant);
        assertTornDown(await resourceCensus(platform, tenant.id));
      });
    }
  });

  it('lets a deleted tenant\'s slug be taken again by a new tenant, and keeps the old one\'s trail', async function () {
    const first = await createTenant(platform);
    await waitForStatus(platform, first.id, 'active');
    await deprovision(first);
    const second = await createTenant(platform, newTenantBody(first.slug));
    assert.notEqual(second.id, first.id);
    await waitForStatus(platform, second.id, 'active');
    assert.equal((await gatewayGet(platform.gatewayPort, `${first.slug}.localhost`)).status, 200);
    assert.equal((await platform.api('GET', `/v1/tenants/${first.slug}`)).body.tenant.id, second.id, 'the slug names the live tenant');
    const old = await platform.api('GET', `/v1/tenants/${first.id}/audit`);
    assert.ok(old.body.items.some((e: { action: string }) => e.action === 'tenant.deleted'));
  });

  it('refuses to drop a database of the tenant\'s name that it did not create', async function () {
    const slug = uniqueSlug('foreign');
    platform.faults.fail('createDatabase', { slug, permanent: true });
    const tenant = await createTenant(platform, newTenantBody(slug));
    await waitForStatus(platform, tenant.id, 'failed');
    platform.faults.clear();
    const name = `t_${tenant.id.replaceAll('-', '')}`;
    // Someone else's database under the tenant's name: no ownership mark, another owner.
    await platform.context.tenantServer.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const res = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: slug });
      assert.equal(res.status, 202);
      const failed = await waitForStatus(platform, tenant.id, 'failed');
      assert.equal(failed.tenant.failure.step, 'dropDatabase');
      assert.match(failed.tenant.failure.reason, /does not belong/);
      assert.equal((await resourceCensus(platform, tenant.id)).databases, 1, 'the foreign database is untouched');
    } finally {
      await platform.context.tenantServer.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
    }
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {})).status, 202);
    await waitForStatus(platform, tenant.id, 'deleted');
  });
});
