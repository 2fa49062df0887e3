import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { FULLY_PROVISIONED, resourceCensus } from './support/resources';
import { databaseNameOf, ownershipMarkOf } from '../activities/naming';

/**
 * A retry adopts the tenant's own leftovers; a resource under the tenant's name that
 * does not carry its mark is never adopted or touched, and the step fails as a conflict.
 */
describe('resource ownership', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });
  after(async function () {
    await platform?.stop();
  });

  /** A tenant stopped before `step`, so a test can arrange the leftovers a retry will meet. */
  async function failedBefore(step: string) {
    const slug = uniqueSlug('own');
    platform.faults.fail(step, { slug, permanent: true });
    const tenant = await createTenant(platform, newTenantBody(slug));
    await waitForStatus(platform, tenant.id, 'failed');
    platform.faults.clear();
    return tenant;
  }

  async function retryUntil(tenantId: string, status: 'active' | 'failed') {
    assert.equal((await platform.api('POST', `/v1/tenants/${tenantId}/retry`, {})).status, 202);
    return waitForStatus(platform, tenantId, status);
  }

  it('refuses a database of the tenant\'s name that someone else created, and leaves it alone', async function () {
    const tenant = await failedBefore('createDatabase');
    const name = databaseNameOf(tenant.id);
    await platform.context.tenantServer.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const failed = await retryUntil(tenant.id, 'failed');
      assert.equal(failed.tenant.failure.step, 'createDatabase');
      assert.match(failed.tenant.failure.reason, /database .* does not belong/);
      const [db] = await platform.context.tenantServer`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = ${name}`;
      assert.equal(db?.owner, 'postgres', 'still owned by whoever made it');
    } finally {
      await platform.context.tenantServer.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
    }
    await retryUntil(tenant.id, 'active');
  });

  it('refuses a role of the tenant\'s name without the mark', async function () {
    const tenant = await failedBefore('createDatabase');
    const name = databaseNameOf(tenant.id);
    await platform.context.tenantServer.unsafe(`CREATE ROLE "${name}" LOGIN PASSWORD 'not-ours'`);
    try {
      const failed = await retryUntil(tenant.id, 'failed');
      assert.match(failed.tenant.failure.reason, /role .* does not belong/);
    } finally {
      await platform.context.tenantServer.unsafe(`DROP ROLE IF EXISTS "${name}"`);
    }
    await retryUntil(tenant.id, 'active');
  });

  it('refuses a storage directory without the tenant\'s marker, and keeps its files', async function () {
    const tenant = await failedBefore('storage');
    const dir = path.join(platform.context.storageRoot, tenant.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'precious.txt'), 'not the platform\'s');
    const failed = await retryUntil(tenant.id, 'failed');
    assert.equal(failed.tenant.failure.step, 'storage');
    assert.match(failed.tenant.failure.reason, /does not belong/);
    // De-provisioning refuses it too, rather than deleting someone else's files.
    await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug });
    const teardown = await waitForStatus(platform, tenant.id, 'failed');
    assert.equal(teardown.tenant.failure.step, 'deleteStorage');
    assert.equal((await resourceCensus(platform, tenant.id)).directories, 1);
  });

  it('refuses to drop a database and role whose marks say they belong to someone else, and drops neither', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const name = databaseNameOf(tenant.id);
    // Owned by the tenant's role name, but marked by someone else: not the platform's to drop.
    await platform.context.tenantServer.unsafe(`COMMENT ON DATABASE "${name}" IS 'someone-else'`);
    await platform.context.tenantServer.unsafe(`COMMENT ON ROLE "${name}" IS 'someone-else'`);
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug })).status, 202);
    const failed = await waitForStatus(platform, tenant.id, 'failed');
    assert.equal(failed.tenant.failure.step, 'dropDatabase');
    const census = await resourceCensus(platform, tenant.id);
    assert.equal(census.databases, 1);
    assert.equal(census.roles, 1);
    await platform.context.tenantServer.unsafe(`COMMENT ON ROLE "${name}" IS '${ownershipMarkOf(tenant.id)}'`);
    // The role is ours again, but the database's foreign mark still protects it.
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {})).status, 202);
    await waitForStatus(platform, tenant.id, 'failed');
    assert.equal((await resourceCensus(platform, tenant.id)).databases, 1);
    await platform.context.tenantServer.unsafe(`COMMENT ON DATABASE "${name}" IS '${ownershipMarkOf(tenant.id)}'`);
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/retry`, {})).status, 202);
    await waitForStatus(platform, tenant.id, 'deleted');
  });

  it('adopts its own leftovers: the marked role of an attempt that died before creating the database', async function () {
    const tenant = await failedBefore('createDatabase');
    const name = databaseNameOf(tenant.id);
    // What a crashed attempt leaves: the role, created together with its mark, and no database.
    await platform.context.tenantServer.begin(async (tx) => {
      await tx.unsafe(`CREATE ROLE "${name}" LOGIN PASSWORD 'from-the-crashed-attempt'`);
      await tx.unsafe(`COMMENT ON ROLE "${name}" IS '${ownershipMarkOf(tenant.id)}'`);
    });
    await retryUntil(tenant.id, 'active');
    assert.deepEqual(await resourceCensus(platform, tenant.id), FULLY_PROVISIONED);
  });
});
