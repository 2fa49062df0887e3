import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, waitForStatus } from './support/tenants';
import { eventually } from './support/http';
import { PROVISIONING_STEPS, TEARDOWN_STEPS, workflowIdOf } from '../workflows/contract';
import { TENANT_SLUG } from '../workflows/search-attributes';

interface AuditEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  step: string | null;
  outcome: string;
  error: string | null;
}

describe('the audit trail', function () {
  let platform: TestPlatform;

  before(async function () {
    // A short history limit, so a tenant's workflow continues as new within the test.
    platform = await startTestPlatform({ continueAsNewAfterEvents: 60 });
  });
  after(async function () {
    await platform?.stop();
  });

  async function wholeTrail(tenantId: string, pageSize = 7): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await platform.api('GET', `/v1/tenants/${tenantId}/audit${query}`);
      assert.equal(res.status, 200);
      events.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return events;
  }

  it('records every step transition and staff action with time, actor, action, step and outcome, across continue-as-new and the expiry of Temporal history', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const handle = platform.client.workflow.getHandle(workflowIdOf(tenant.id));
    const firstRun = (await handle.describe()).runId;

    for (let i = 0; i < 6; i++) {
      assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: `dispute ${i}` }, 'operator')).status, 200);
      assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/resume`, {}, 'operator')).status, 200);
    }
    // The workflow carried its state into a new run, with its search attributes.
    const current = await eventually(async () => {
      const d = await handle.describe();
      return d.runId !== firstRun && d.status.name === 'RUNNING' ? d : undefined;
    }, { what: 'continue-as-new' });
    assert.equal(current.typedSearchAttributes.get(TENANT_SLUG), tenant.slug);
    const firstHistory = await platform.client.workflow.getHandle(workflowIdOf(tenant.id), firstRun).fetchHistory();
    assert.equal(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes ? 'continued' : 'other', 'continued');
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/suspend`, { reason: 'after continue-as-new' }, 'operator')).status, 200);
    assert.equal((await platform.api('POST', `/v1/tenants/${tenant.id}/deprovision`, { confirmSlug: tenant.slug, reason: 'customer left' })).status, 202);
    await waitForStatus(platform, tenant.id, 'deleted');

    // Temporal forgets closed runs after the namespace retention; deleting them now stands in for that.
    const runs = new Set([firstRun, current.runId, (await handle.describe()).runId]);
    for await (const run of platform.client.workflow.list({ query: `WorkflowId = '${workflowIdOf(tenant.id)}'` })) runs.add(run.runId);
    for (const runId of runs) {
      await platform.client.workflowService.deleteWorkflowExecution({
        namespace: platform.client.options.namespace,
        workflowExecution: { workflowId: workflowIdOf(tenant.id), runId },
      });
    }
    await eventually(async () => {
      try {
        await handle.describe();
        return undefined;
      } catch {
        return true;
      }
    }, { what: 'the workflow history to be gone' });

    const trail = await wholeTrail(tenant.id);
    const ids = trail.map((e) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'oldest first, no repeats');
    assert.equal(new Set(ids).size, ids.length);
    for (const e of trail) {
      assert.ok(e.at && e.actor && e.action && e.outcome, `complete event ${JSON.stringify(e)}`);
    }
    const actions = trail.map((e) => e.action);
    assert.equal(actions[0], 'tenant.created');
    assert.equal(actions.filter((a) => a === 'tenant.suspended').length, 7);
    assert.equal(actions.filter((a) => a === 'tenant.resumed').length, 6);
    for (const step of [...PROVISIONING_STEPS, ...TEARDOWN_STEPS]) {
      assert.ok(trail.some((e) => e.action === 'step.started' && e.step === step), `${step} started`);
      assert.ok(trail.some((e) => e.action === 'step.completed' && e.step === step && e.outcome === 'succeeded'), `${step} completed`);
    }
    assert.ok(trail.some((e) => e.action === 'tenant.deprovision_requested' && e.actor === 'token:test-admin'));
    assert.ok(trail.some((e) => e.action === 'tenant.suspended' && e.actor === 'token:test-operator'));
    assert.equal(actions.at(-1), 'tenant.deleted');

    const history = await platform.api('GET', `/v1/tenants/${tenant.id}/history`);
    assert.deepEqual(history.body.provisioning.map((s: { step: string }) => s.step), [...PROVISIONING_STEPS]);
    assert.deepEqual(history.body.deprovisioning.map((s: { step: string }) => s.step), [...TEARDOWN_STEPS]);
    for (const s of [...history.body.provisioning, ...history.body.deprovisioning]) {
      assert.equal(s.status, 'completed');
      assert.ok(s.attempts >= 1 && s.durationMs !== null && s.startedAt && s.finishedAt);
    }
    assert.match(history.body.workflow.url, new RegExp(`/namespaces/default/workflows/tenant-${tenant.id}$`));
  });

  it('is append-only: the registry refuses to change or delete an event', async function () {
    const tenant = await createTenant(platform);
    await assert.rejects(platform.sql`UPDATE audit_events SET actor = 'someone else' WHERE tenant_id = ${tenant.id}`, /append-only/);
    await assert.rejects(platform.sql`DELETE FROM audit_events WHERE tenant_id = ${tenant.id}`, /append-only/);
    await waitForStatus(platform, tenant.id, 'active');
  });

  it('pages with a cursor and refuses a bad one', async function () {
    const tenant = await createTenant(platform);
    await waitForStatus(platform, tenant.id, 'active');
    const bad = await platform.api('GET', `/v1/tenants/${tenant.id}/audit?cursor=abc`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'cursor');
    const page = await platform.api('GET', `/v1/tenants/${tenant.id}/audit?limit=2`);
    assert.equal(page.body.items.length, 2);
    assert.ok(page.body.nextCursor);
  });
});
