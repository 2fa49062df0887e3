import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, waitForStatus } from './support/tenants';
import { reconcile, type Finding, type ReconciliationReport } from '../activities/reconciliation';
import { databaseNameOf, ownershipMarkOf, storageDirOf } from '../activities/naming';
import { STORAGE_MARKER } from '../activities/storage-directory';

describe('reconciliation of real resources against the registry', function () {
  let platform: TestPlatform;
  let admin: postgres.Sql;
  let tenants: { id: string; slug: string }[];
  const madeByHand: string[] = [];

  before(async function () {
    platform = await startTestPlatform();
    admin = postgres(platform.adminUrl, { max: 1, onnotice: () => {} });
    tenants = [await createTenant(platform), await createTenant(platform), await createTenant(platform)];
    for (const t of tenants) await waitForStatus(platform, t.id, 'active');
  });

  after(async function () {
    for (const name of madeByHand) {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
      await admin.unsafe(`DROP ROLE IF EXISTS "${name}"`);
    }
    await admin?.end();
    await platform?.stop();
  });

  const check = () => reconcile({ registry: platform.sql, tenantServer: platform.context.tenantServer, storageRoot: platform.context.storageRoot });
  /**
   * The test PostgreSQL server is shared with other test files, whose tenants are not in
   * this platform's registry: keep only findings about this file's tenants and resources.
   */
  const ours = (report: ReconciliationReport, extraIds: string[] = []): Finding[] => {
    const ids = new Set([...tenants.map((t) => t.id), ...extraIds]);
    return report.findings.filter((f) => (f.tenantId && ids.has(f.tenantId)) || f.resource === 'storage' || f.problem === 'missing');
  };

  it('finds nothing wrong with freshly provisioned tenants', async function () {
    const report = await check();
    assert.deepEqual(ours(report), []);
    assert.ok(report.scanned.tenants >= 3);
  });

  it('detects a database, role and directory that belong to no tenant, and an unmarked database', async function () {
    const strayId = randomUUID();
    const stray = databaseNameOf(strayId);
    madeByHand.push(stray);
    await admin.unsafe(`CREATE ROLE "${stray}" NOLOGIN`);
    await admin.unsafe(`COMMENT ON ROLE "${stray}" IS '${ownershipMarkOf(strayId)}'`);
    await admin.unsafe(`CREATE DATABASE "${stray}"`);
    await admin.unsafe(`COMMENT ON DATABASE "${stray}" IS '${ownershipMarkOf(strayId)}'`);
    const squatterId = randomUUID();
    const squatter = databaseNameOf(squatterId);
    madeByHand.push(squatter);
    await admin.unsafe(`CREATE DATABASE "${squatter}"`);
    const dir = storageDirOf(platform.context.storageRoot, strayId);
    await mkdir(dir);
    await writeFile(path.join(dir, STORAGE_MARKER), ownershipMarkOf(strayId));

    const findings = ours(await check(), [strayId, squatterId]);
    const summary = findings.map((f) => `${f.problem} ${f.resource} ${f.name}`).sort();
    assert.deepEqual(summary, [`orphan database ${stray}`, `orphan role ${stray}`, `orphan storage ${dir}`, `unmarked database ${squatter}`].sort());
    assert.ok(findings.every((f) => f.reason.length > 0));

    await rm(dir, { recursive: true });
    for (const name of [stray, squatter]) {
      await admin.unsafe(`DROP DATABASE "${name}"`);
      await admin.unsafe(`DROP ROLE IF EXISTS "${name}"`);
    }
    assert.deepEqual(ours(await check()), []);
  });

  it('detects a tenant missing a resource its status requires', async function () {
    const victim = tenants[0]!;
    const dir = storageDirOf(platform.context.storageRoot, victim.id);
    await rm(dir, { recursive: true });
    await platform.sql`UPDATE routes SET state = 'pending' WHERE tenant_id = ${victim.id}`;
    await platform.sql`UPDATE inbound_addresses SET state = 'removed' WHERE tenant_id = ${victim.id}`;
    const findings = ours(await check()).map((f) => `${f.problem} ${f.resource} ${f.tenantId}`).sort();
    assert.deepEqual(findings, [`missing inbound_address ${victim.id}`, `missing route ${victim.id}`, `missing storage ${victim.id}`]);
  });

  it('is served to staff at GET /v1/reconciliation, read-only roles included, and not to the signup service', async function () {
    const res = await platform.api('GET', '/v1/reconciliation', undefined, 'viewer');
    assert.equal(res.status, 200);
    assert.equal(res.body.clean, false);
    assert.ok(res.body.findings.some((f: Finding) => f.problem === 'missing' && f.tenantId === tenants[0]!.id));
    assert.equal((await platform.api('GET', '/v1/reconciliation', undefined, 'signup')).status, 403);
    assert.equal((await platform.api('GET', '/v1/reconciliation', undefined, null)).status, 401);
  });

  it('finds what de-provisioning left behind of a deleted tenant', async function () {
    const gone = tenants[1]!;
    const res = await platform.api('POST', `/v1/tenants/${gone.id}/deprovision`, { confirmSlug: gone.slug });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await waitForStatus(platform, gone.id, 'deleted');
    assert.deepEqual(ours(await check()).filter((f) => f.tenantId === gone.id), []);
    const dir = storageDirOf(platform.context.storageRoot, gone.id);
    await mkdir(dir);
    await writeFile(path.join(dir, STORAGE_MARKER), ownershipMarkOf(gone.id));
    const findings = ours(await check()).filter((f) => f.tenantId === gone.id);
    assert.deepEqual(findings.map((f) => `${f.problem} ${f.resource} ${f.reason}`), ['orphan storage its tenant is deleted']);
  });
});
