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
import { WorkflowStarter } from '../api/workflow-starter';
import { workflowIdOf } from '../workflows/contract';

/**
 * When Temporal does not answer, the API still accepts signups (their workflows start
 * from the outbox once Temporal answers), answers operations with 503 within seconds
 * instead of hanging, and keeps serving reads; a tenant whose workflow was terminated
 * from the Web UI gets a new run from the registry's record at its next operation.
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
        workflowStarter: new WorkflowStarter(platform.sql, lifecycle),
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

  it('accepts a signup while Temporal does not answer, and its workflow starts once Temporal is reachable', async function () {
    const body = newTenantBody();
    const res = await request(apiUrl, 'POST', '/v1/tenants', body, as('admin'));
    assert.equal(res.status, 202, JSON.stringify(res.body));
    // The accepted tenant waits in the outbox; the platform's own starter, whose Temporal
    // answers, picks it up: the signup is not lost.
    await waitForStatus(platform, res.body.tenant.id, 'active');
    const [left] = await platform.sql`SELECT count(*)::int AS n FROM workflow_starts WHERE tenant_id = ${res.body.tenant.id}`;
    assert.equal(left!.n, 0);
  });

  it('keeps serving reads and accepting creates while Temporal does not answer', async function () {
    const creates = await Promise.all(Array.from({ length: 10 }, () => request(apiUrl, 'POST', '/v1/tenants', newTenantBody(), as('admin'))));
    assert.ok(creates.every((r) => r.status === 202));
    const list = await request(apiUrl, 'GET', '/v1/tenants?limit=5', undefined, as('viewer'));
    assert.equal(list.status, 200);
    await Promise.all(creates.map((r) => waitForStatus(platform, r.body.tenant.id, 'active')));
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
