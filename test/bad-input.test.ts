import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { sendRaw } from './support/http';
import { BAD_REQUESTS } from './fixtures/bad-requests';

describe('bad input to POST /v1/tenants', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform();
  });

  after(async function () {
    await platform?.stop();
  });

  const tenantCount = async () => Number((await platform.sql`SELECT count(*)::int AS n FROM tenants`)[0]!.n);
  const workflowCount = async () => (await platform.client.workflow.count(`TaskQueue = '${platform.taskQueue}'`)).count;

  it('refuses every request of the corpus with a 4xx problem naming the field, and creates nothing', async function () {
    const tenantsBefore = await tenantCount();
    const workflowsBefore = await workflowCount();
    const failures: string[] = [];
    for (const bad of BAD_REQUESTS) {
      const headers = { authorization: `Bearer ${platform.tokens.signup}`, 'content-type': 'application/json', ...bad.headers };
      if (headers['content-type'] === '') delete (headers as Record<string, string>)['content-type'];
      const res = await sendRaw(platform.apiUrl, 'POST', '/v1/tenants', bad.raw ?? JSON.stringify(bad.body), headers);
      const problems: string[] = [];
      if (res.status !== bad.status) problems.push(`status ${res.status}, expected ${bad.status}`);
      if (!res.contentType.startsWith('application/problem+json')) problems.push(`content type ${res.contentType}`);
      let body: { status?: number; errors?: { field: string; reason: string }[] } = {};
      try {
        body = JSON.parse(res.body);
      } catch {
        problems.push('body is not JSON');
      }
      if (body.status !== res.status) problems.push(`problem status ${body.status}`);
      if (bad.field && !body.errors?.some((e) => e.field === bad.field && e.reason.length > 0)) {
        problems.push(`no reason for field ${bad.field} in ${JSON.stringify(body.errors)}`);
      }
      if (problems.length > 0) failures.push(`${bad.name}: ${problems.join('; ')} — ${res.body.slice(0, 300)}`);
    }
    assert.deepEqual(failures, []);
    assert.equal(await tenantCount(), tenantsBefore, 'no tenant row was created');
    // Visibility lags a little behind a start: give a stray workflow time to show up.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await workflowCount(), workflowsBefore, 'no workflow was started');
  });

  it('answers 4xx, never 5xx, on every other route for malformed bodies and content types', async function () {
    const routes = ['/v1/tenants/acme/suspend', '/v1/tenants/acme/deprovision', '/v1/tenants/acme/retry', '/v1/session'];
    for (const path of routes) {
      for (const [raw, type, expected] of [
        ['{"reason":', 'application/json', 400],
        ['reason=x', 'application/x-www-form-urlencoded', 415],
        ['x'.repeat(20_000), 'application/json', 413],
      ] as const) {
        const res = await sendRaw(platform.apiUrl, 'POST', path, raw, { authorization: `Bearer ${platform.tokens.admin}`, 'content-type': type });
        assert.equal(res.status, expected, `${path} ${type}: ${res.body}`);
        assert.match(res.contentType, /^application\/problem\+json/);
      }
    }
  });

  it('refuses a NUL character with 400 or 404 wherever it arrives: path, query, session body', async function () {
    const cases: [string, string, unknown, number, string | null][] = [
      ['GET', '/v1/tenants/acme%00', undefined, 404, null],
      ['GET', '/v1/tenants?q=%00', undefined, 400, 'query.q'],
      ['GET', '/v1/tenants?plan=team%00', undefined, 400, 'query.plan'],
      ['POST', '/v1/session', { email: 'a\u0000b', password: 'x' }, 400, 'email'],
      ['POST', '/v1/tenants/acme/suspend', { reason: 'a\u0000b' }, 400, 'reason'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const res = await platform.api(method, path, body);
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
      if (field) assert.ok(res.body.errors.some((e: { field: string }) => e.field === field), JSON.stringify(res.body));
    }
  });

  it('still accepts a good request afterwards', async function () {
    const res = await platform.api('POST', '/v1/tenants', { name: 'Acme Support', slug: `good-${platform.id}`, plan: 'team', adminEmail: 'owner@acme.example' }, 'signup');
    assert.equal(res.status, 202, JSON.stringify(res.body));
  });
});
