import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, waitForStatus } from './support/tenants';
import { request } from './support/http';
import { createApiApp } from '../api/app';
import { LifecycleClient } from '../api/lifecycle-client';
import { workflowIdOf } from '../workflows/contract';

/**
 * When Temporal does not answer, the API answers 503 within seconds instead of hanging,
 * creates nothing, and keeps serving reads; a tenant whose workflow was terminated from
 * the Web UI gets a new run from the registry's record at its next operation.
 */
describe('when Temporal does not answer', function () {
  let platform: TestPlatform;
  let blackHole: net.Server;
  let api: http.Server;
  let apiUrl: string;
  let connection: Connection;

  before(async function () {
    platform = await startTestPlatform();
    // Accepts connections and never answers: a frozen Temporal frontend.
    blackHole = net.createServer(() => {});
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    connection = Connection.lazy({ address: `127.0.0.1:${(blackHole.address() as AddressInfo).port}`, connectTimeout: '2s' });
    const lifecycle = new LifecycleClient(new Client({ connection }), platform.taskQueue);
    api = http.createServer(
      createApiApp({
        sql: platform.sql,
        lifecycle,
        namespace: 'default',
        temporalUiUrl: null,
        baseDomain: 'localhost',
        gatewayPort: null,
        reconciliation: { registry: platform.sql, tenantServer: platform.context.tenantServer, storageRoot: platform.context.storageRoot },
      }),
    );
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });

  after(async function () {
    api?.closeAllConnections();
    await new Promise((r) => api?.close(r));
    blackHole?.close();
    await connection?.close().catch(() => {});
    await platform?.stop();
  });

  const as = (role: 'admin' | 'viewer') => ({ authorization: `Bearer ${platform.tokens[role]}` });

  it('answers a create with 503 and Retry-After, and creates nothing', async function () {
    const body = newTenantBody();
    const res = await request(apiUrl, 'POST', '/v1/tenants', body, as('admin'));
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    assert.ok(res.headers.get('retry-after'));
    const [row] = await platform.sql`SELECT count(*)::int AS n FROM tenants WHERE slug = ${body.slug}`;
    assert.equal(row!.n, 0);
    // The slug was not left locked: the real API can take it at once.
    const created = await platform.api('POST', '/v1/tenants', body);
    assert.equal(created.status, 202);
  });

  it('keeps serving reads while creates fail', async function () {
    const creates = Array.from({ length: 25 }, () => request(apiUrl, 'POST', '/v1/tenants', newTenantBody(), as('admin')));
    const list = await request(apiUrl, 'GET', '/v1/tenants?limit=5', undefined, as('viewer'));
    assert.equal(list.status, 200);
    assert.ok((await Promise.all(creates)).every((r) => r.status === 503));
  });

  it('answers an operation with 503 rather than 500', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const res = await request(apiUrl, 'POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'x' }, as('admin'));
    assert.equal(res.status, 503);
    assert.equal((await platform.api('GET', `/v1/tenants/${tenant.id}`)).body.tenant.status, 'active');
  });

  it('gives a tenant whose workflow was terminated a new run at its next operation', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    await platform.client.workflow.getHandle(workflowIdOf(tenant.id)).terminate('staff clicked terminate in the Web UI');
    const res = await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'after terminate' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tenant.status, 'suspended');
    const resumed = await platform.api('POST', `/v1/tenants/${tenant.id}/resume`, {});
    assert.equal(resumed.status, 200);
    const deleted = await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug });
    assert.equal(deleted.status, 202);
    await waitForStatus(platform, tenant.id, 'deleted');
  });
});
