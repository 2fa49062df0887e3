import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug } from './support/tenants';

describe('searching and filtering tenants', function () {
  let platform: TestPlatform;
  let slugs: string[];

  before(async function () {
    platform = await startTestPlatform();
    slugs = [uniqueSlug('zebra'), uniqueSlug('zebra'), uniqueSlug('okapi')];
    for (const slug of slugs) await createTenant(platform, { ...newTenantBody(slug), name: `${slug.startsWith('zebra') ? 'Zebra Crossing' : 'Okapi Wood'} ${slug}`, plan: slug.startsWith('okapi') ? 'business' : 'team' });
  });

  after(async function () {
    await platform?.stop();
  });

  const list = async (query: string) => {
    const res = await platform.api('GET', `/v1/tenants?${query}`, undefined, 'viewer');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { items: { slug: string; name: string }[]; nextCursor: string | null };
  };

  it('finds by a piece of the name, case-insensitively, and by a piece of the slug, newest first', async function () {
    assert.deepEqual((await list('q=ZEBRA%20cross')).items.map((t) => t.slug), [slugs[1], slugs[0]]);
    assert.deepEqual((await list(`q=${slugs[2]!.slice(-6)}`)).items.map((t) => t.slug), [slugs[2]]);
    assert.deepEqual((await list('q=no%20such%20tenant')).items, []);
  });

  it('filters by plan and status together with the search', async function () {
    assert.deepEqual((await list('plan=business&q=okapi')).items.map((t) => t.slug), [slugs[2]]);
    assert.deepEqual((await list('plan=business&q=zebra')).items, []);
    const withStatus = await list('status=provisioning&plan=team&q=zebra');
    const active = await list('status=active&plan=team&q=zebra');
    assert.equal(withStatus.items.length + active.items.length, 2);
  });

  it('pages with a cursor, one tenant at a time, without repeating or skipping', async function () {
    const first = await list('q=zebra&limit=1');
    assert.equal(first.items.length, 1);
    assert.ok(first.nextCursor);
    const second = await list(`q=zebra&limit=1&cursor=${first.nextCursor}`);
    assert.deepEqual([...first.items, ...second.items].map((t) => t.slug), [slugs[1], slugs[0]]);
    assert.equal(second.nextCursor, null);
  });
});
