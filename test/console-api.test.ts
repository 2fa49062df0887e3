import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, waitForStatus } from './support/tenants';
import { PROVISIONING_STEPS, TEARDOWN_STEPS } from '../workflows/contract';

/** What the console reads beyond the lifecycle: plans, usage, health, and the step lists. */
describe('the API the console reads', function () {
  let platform: TestPlatform;
  let tenant: { id: string; slug: string };
  const detail = async () => {
    const res = await platform.api('GET', `/v1/tenants/${tenant.id}`, undefined, 'viewer');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  before(async function () {
    platform = await startTestPlatform();
    tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
  });

  after(async function () {
    await platform?.stop();
  });

  it('lists the plans, cheapest first', async function () {
    const res = await platform.api('GET', '/v1/plans', undefined, 'viewer');
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.items.map((p: { key: string }) => p.key),
      ['free', 'team', 'business', 'enterprise'],
    );
    assert.deepEqual(Object.keys(res.body.items[0]).sort(), ['description', 'key', 'maxUsers', 'name', 'storageQuotaMb']);
  });

  it('measures storage and database use against the plan\'s limits', async function () {
    const before = (await detail()).usage;
    assert.ok(before.databaseBytes > 1_000_000, `a migrated, seeded database: ${before.databaseBytes}`);
    assert.equal(before.storageQuotaBytes, 20480 * 1024 * 1024);
    assert.equal(before.maxUsers, 25);
    await writeFile(path.join(platform.context.storageRoot, tenant.id, 'attachments', 'report.pdf'), Buffer.alloc(123_456));
    const after = (await detail()).usage;
    assert.equal(after.storageBytes - before.storageBytes, 123_456);
  });

  it('reads a resource removed behind the platform\'s back as unknown usage, not as an error', async function () {
    const [database] = await platform.sql`SELECT name FROM tenant_resources WHERE tenant_id = ${tenant.id} AND kind = 'database'`;
    await rm(path.join(platform.context.storageRoot, tenant.id), { recursive: true, force: true });
    await platform.sql`UPDATE tenant_resources SET name = 't_no_such_database' WHERE tenant_id = ${tenant.id} AND kind = 'database'`;
    try {
      const { usage } = await detail();
      assert.equal(usage.storageBytes, null);
      assert.equal(usage.databaseBytes, null);
    } finally {
      await platform.sql`UPDATE tenant_resources SET name = ${database!.name} WHERE tenant_id = ${tenant.id} AND kind = 'database'`;
    }
  });

  it('reports a tenant in service whose registry lacks a resource as needing attention, in the list and the detail', async function () {
    await platform.sql`UPDATE tenant_resources SET state = 'removed', removed_at = now() WHERE tenant_id = ${tenant.id} AND kind IN ('route', 'inbound_address')`;
    try {
      const expected = { state: 'attention', reason: 'missing route, inbound_address' };
      assert.deepEqual((await detail()).tenant.health, expected);
      const list = await platform.api('GET', `/v1/tenants?q=${tenant.slug}`, undefined, 'viewer');
      assert.deepEqual(list.body.items[0].health, expected);
      assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'health check' }, 'operator')).status, 200);
      assert.deepEqual((await detail()).tenant.health, expected, 'suspended tenants keep their resources too');
      assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/resume`, {}, 'operator')).status, 200);
    } finally {
      await platform.sql`UPDATE tenant_resources SET state = 'present', removed_at = NULL WHERE tenant_id = ${tenant.id}`;
    }
    assert.deepEqual((await detail()).tenant.health, { state: 'healthy' });
  });

  it('names every step of both pipelines, in order, so the console can show those not yet run', async function () {
    const { pipelines } = await detail();
    assert.deepEqual(pipelines, { provision: [...PROVISIONING_STEPS], deprovision: [...TEARDOWN_STEPS] });
  });
});
