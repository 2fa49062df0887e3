import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, waitForStatus } from './support/tenants';
import { eventually, gatewayGet } from './support/http';

describe('suspending and resuming', function () {
  let platform: TestPlatform;
  let tenant: { id: string; slug: string };
  const host = () => `${tenant.slug}.localhost`;

  before(async function () {
    platform = await startTestPlatform();
    tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
  });
  after(async function () {
    await platform?.stop();
  });

  it('answers synchronously, closes the subdomain with 403 at once, and keeps the data', async function () {
    const before = await gatewayGet(platform.gatewayPort, host());
    assert.equal(before.status, 200);

    const res = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'billing dispute #4411' });
    assert.equal(res.status, 200);
    assert.equal(res.body.tenant.status, 'suspended');
    assert.equal(res.body.tenant.suspensionReason, 'billing dispute #4411');

    // The gateway reads the status per request: the very next request is refused.
    const during = await gatewayGet(platform.gatewayPort, host(), 'text/html');
    assert.equal(during.status, 403);
    assert.match(during.body, /suspended/i);

    const resumed = await platform.api('POST', `/v1/tenants/${tenant.id}/resume`, {});
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.tenant.status, 'active');
    assert.equal(resumed.body.tenant.suspensionReason, null);
    const after = await gatewayGet(platform.gatewayPort, host());
    assert.equal(after.status, 200);
    assert.deepEqual(JSON.parse(after.body), JSON.parse(before.body), 'the tenant data is intact');
  });

  it('audits both with actor and reason, and shows them in the Temporal search attributes', async function () {
    const audit = await platform.api('GET', `/v1/tenants/${tenant.id}/audit`);
    const suspended = audit.body.items.find((e: { action: string }) => e.action === 'tenant.suspended');
    assert.equal(suspended.actor, 'token:test-admin');
    assert.equal(suspended.details.reason, 'billing dispute #4411');
    const resumed = audit.body.items.find((e: { action: string }) => e.action === 'tenant.resumed');
    assert.equal(resumed.actor, 'token:test-admin');
    const status = await eventually(async () => {
      const d = await platform.client.workflow.getHandle(`tenant-${tenant.id}`).describe();
      return d.searchAttributes.TenantStatus?.[0] === 'active' ? 'active' : undefined;
    });
    assert.equal(status, 'active');
  });

  it('requires a reason to suspend, and an operator role', async function () {
    const missing = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors[0].field, 'reason');
    const viewer = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'x' }, 'viewer');
    assert.equal(viewer.status, 403);
    const detail = await platform.api('GET', `/v1/tenants/${tenant.id}`);
    assert.equal(detail.body.tenant.status, 'active');
  });
});
