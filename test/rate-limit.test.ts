import assert from 'node:assert/strict';
import express from 'express';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { newTenantBody } from './support/tenants';
import { rateLimitPerCredential } from '../api/rate-limit';
import { problemHandler } from '../api/problem';

describe('tenant creation is rate-limited per credential', function () {
  let platform: TestPlatform;

  before(async function () {
    platform = await startTestPlatform({ tenantCreateLimit: { burst: 3, perMinute: 1 } });
  });

  after(async function () {
    await platform?.stop();
  });

  it('answers 429 problem+json with Retry-After once a credential has used its burst, and creates nothing', async function () {
    for (let i = 0; i < 3; i++) assert.equal((await platform.api('POST', '/v1/tenants', newTenantBody(), 'signup')).status, 202);
    const body = newTenantBody();
    const res = await platform.api('POST', '/v1/tenants', body, 'signup');
    assert.equal(res.status, 429);
    assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const retryAfter = Number(res.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(res.body.status, 429);
    assert.equal((await platform.sql`SELECT count(*)::int AS n FROM tenants WHERE slug = ${body.slug}`)[0]!.n, 0);
  });

  it('leaves other credentials and other routes alone', async function () {
    assert.equal((await platform.api('POST', '/v1/tenants', newTenantBody(), 'operator')).status, 202);
    assert.equal((await platform.api('GET', '/v1/tenants', undefined, 'viewer')).status, 200);
  });

  it('refills the bucket over time', async function () {
    let now = 0;
    const app = express();
    app.use((req, _res, next) => {
      req.principal = { actor: 'test', role: 'signup', credentialId: String(req.headers['x-credential']) };
      next();
    });
    app.post('/', rateLimitPerCredential({ burst: 2, perMinute: 60 }, () => now), (_req, res) => {
      res.status(202).end();
    });
    app.use(problemHandler);
    const server = app.listen(0);
    const port = (server.address() as { port: number }).port;
    const post = async (credential = 'a') => (await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'x-credential': credential } })).status;
    try {
      assert.deepEqual([await post(), await post(), await post()], [202, 202, 429]);
      assert.equal(await post('b'), 202);
      now += 1000; // one token a second
      assert.deepEqual([await post(), await post()], [202, 429]);
      now += 60_000;
      assert.deepEqual([await post(), await post(), await post()], [202, 202, 429]);
    } finally {
      server.close();
    }
  });
});
