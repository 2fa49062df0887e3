import assert from 'node:assert/strict';
import { healthOf, STUCK_AFTER_MS } from '../api/tenant-queries';

describe('tenant health', function () {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const base = { failedStep: null, failureReason: null, failedPipeline: null, presentResources: ['database', 'role', 'storage', 'route', 'inbound_address'] };

  it('is healthy for an active tenant with every resource', function () {
    assert.deepEqual(healthOf({ ...base, status: 'active', updatedAt: new Date(now - 1000) }, now), { state: 'healthy' });
  });

  it('names the failed step and its reason', function () {
    const health = healthOf({ ...base, status: 'failed', failedStep: 'seed', failedPipeline: 'provision', failureReason: 'boom', updatedAt: new Date(now) }, now);
    assert.deepEqual(health, { state: 'attention', reason: 'provisioning step seed failed: boom' });
  });

  it('flags a pipeline that has run far longer than it should', function () {
    assert.equal(healthOf({ ...base, status: 'provisioning', presentResources: [], updatedAt: new Date(now - 60_000) }, now).state, 'healthy');
    const stuck = healthOf({ ...base, status: 'provisioning', presentResources: [], updatedAt: new Date(now - STUCK_AFTER_MS - 60_000) }, now);
    assert.equal(stuck.state, 'attention');
    assert.match((stuck as { reason: string }).reason, /provisioning for 11 minutes/);
  });

  it('names the resources an active tenant is missing', function () {
    const health = healthOf({ ...base, status: 'active', presentResources: ['database', 'role', 'route', 'inbound_address'], updatedAt: new Date(now) }, now);
    assert.deepEqual(health, { state: 'attention', reason: 'missing storage' });
  });
});
