import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { fingerprintOf, forgetExpiredKeys } from '../api/idempotency';

describe('double-submitted and concurrent signups', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });

  after(async function () {
    await platform?.stop();
  });

  const create = (body: unknown, headers: Record<string, string> = {}, as: 'signup' | 'admin' = 'signup') =>
    platform.api('POST', '/v1/tenants', body, as, headers);
  const tenantsWithSlug = async (slug: string) => Number((await platform.sql`SELECT count(*)::int AS n FROM tenants WHERE slug = ${slug}`)[0]!.n);
  const workflowsWithSlug = async (slug: string) => (await platform.client.workflow.count(`TenantSlug = '${slug}'`)).count;

  it('gives one tenant and the same answer twice for one Idempotency-Key', async function () {
    const body = newTenantBody();
    const key = `signup-${body.slug}`;
    const first = await create(body, { 'idempotency-key': key });
    const second = await create(body, { 'idempotency-key': key });
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.deepEqual(second.body, first.body);
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(await tenantsWithSlug(body.slug), 1);
    await waitForStatus(platform, first.body.tenant.id, 'active');
    // Still the first answer once the tenant is active: the answer is stored, not recomputed.
    const third = await create(body, { 'idempotency-key': key });
    assert.deepEqual(third.body, first.body);
  });

  it('treats the same JSON with its keys in another order as the same request', function () {
    assert.equal(fingerprintOf('POST', '/v1/tenants', { a: 1, b: { c: 2, d: 3 } }), fingerprintOf('POST', '/v1/tenants', { b: { d: 3, c: 2 }, a: 1 }));
    assert.notEqual(fingerprintOf('POST', '/v1/tenants', { a: 1 }), fingerprintOf('POST', '/v1/tenants', { a: 2 }));
  });

  it('refuses a key reused for a different body with 422, creating nothing', async function () {
    const body = newTenantBody();
    const key = `reuse-${body.slug}`;
    assert.equal((await create(body, { 'idempotency-key': key })).status, 202);
    const other = newTenantBody();
    const res = await create(other, { 'idempotency-key': key });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(res.body.errors[0].field, 'Idempotency-Key');
    assert.equal(await tenantsWithSlug(other.slug), 0);
  });

  it('scopes keys to the credential', async function () {
    const key = `shared-${uniqueSlug()}`;
    const a = await create(newTenantBody(), { 'idempotency-key': key }, 'signup');
    const b = await create(newTenantBody(), { 'idempotency-key': key }, 'admin');
    assert.equal(a.status, 202);
    assert.equal(b.status, 202);
    assert.notEqual(a.body.tenant.id, b.body.tenant.id);
  });

  it('gives one tenant when the same keyed request arrives 10 times at once', async function () {
    const body = newTenantBody();
    const key = `burst-${body.slug}`;
    const answers = await Promise.all(Array.from({ length: 10 }, () => create(body, { 'idempotency-key': key })));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(10).fill(202),
    );
    for (const a of answers) assert.deepEqual(a.body, answers[0]!.body);
    assert.equal(await tenantsWithSlug(body.slug), 1);
  });

  it('lets a key expire after a day: reused then for another request, and swept away', async function () {
    const body = newTenantBody();
    const key = `old-${body.slug}`;
    assert.equal((await create(body, { 'idempotency-key': key })).status, 202);
    await platform.sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ${key}`;
    const other = newTenantBody();
    const reused = await create(other, { 'idempotency-key': key });
    assert.equal(reused.status, 202, JSON.stringify(reused.body));
    assert.equal(reused.body.tenant.slug, other.slug);
    await platform.sql`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ${key}`;
    assert.ok((await forgetExpiredKeys(platform.sql)) >= 1);
    assert.equal((await platform.sql`SELECT 1 FROM idempotency_keys WHERE key = ${key}`).length, 0);
  });

  it('gives exactly one tenant and 409 for the rest when 20 creates of one slug race', async function () {
    const slug = uniqueSlug('race');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => create({ ...newTenantBody(slug), name: `Racer ${i}` })));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [...Array(19).fill(409), 202].sort());
    for (const loser of answers.filter((a) => a.status === 409)) {
      assert.match(loser.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.deepEqual(loser.body.errors, [{ field: 'slug', reason: 'is taken' }]);
    }
    assert.equal(await tenantsWithSlug(slug), 1);
    const winner = answers.find((a) => a.status === 202)!;
    await waitForStatus(platform, winner.body.tenant.id, 'active');
    assert.equal(await workflowsWithSlug(slug), 1);
  });
});
