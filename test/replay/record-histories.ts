import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from '../support/tenants';
import { stopTestEnvironment } from '../support/environment';
import { workflowIdOf } from '../../workflows/contract';

/**
 * Records the histories that test/replay.test.ts replays against the current workflow
 * code. Run it (`npm run histories:record`) only when a change to the workflow is meant
 * to be incompatible, with the old histories kept under a new name if tenants on the old
 * code can still be running; otherwise the recorded files are the contract.
 */
const OUT = path.join(__dirname, 'histories');

async function record(platform: TestPlatform, name: string, tenantId: string) {
  const history = await platform.client.workflow.getHandle(workflowIdOf(tenantId)).fetchHistory();
  await writeFile(path.join(OUT, `${name}.json`), historyToJSON(history) + '\n');
  console.log(`recorded ${name} (${history.events?.length} events)`);
}

async function main() {
  await mkdir(OUT, { recursive: true });
  const platform = await startTestPlatform();
  try {
    const provisioned = await createTenant(platform);
    await waitForStatus(platform, provisioned.id, 'active');
    await record(platform, 'provisioning', provisioned.id);

    const slug = uniqueSlug('retry');
    platform.faults.fail('seed', { slug });
    const retried = await createTenant(platform, newTenantBody(slug));
    await waitForStatus(platform, retried.id, 'failed');
    platform.faults.clear();
    await platform.api('POST', `/v1/tenants/${retried.id}/retry`, {});
    await waitForStatus(platform, retried.id, 'active');
    await record(platform, 'failure-and-retry', retried.id);

    const suspended = await createTenant(platform);
    await waitForStatus(platform, suspended.id, 'active');
    await platform.api('POST', `/v1/tenants/${suspended.id}/suspend`, { reason: 'billing' });
    await platform.api('POST', `/v1/tenants/${suspended.id}/resume`, {});
    await record(platform, 'suspend-and-resume', suspended.id);

    const removed = await createTenant(platform);
    await waitForStatus(platform, removed.id, 'active');
    const tearSlug = removed.slug;
    platform.faults.fail('dropDatabase', { slug: tearSlug });
    await platform.api('POST', `/v1/tenants/${removed.id}/deprovision`, { confirmSlug: tearSlug });
    await waitForStatus(platform, removed.id, 'failed');
    platform.faults.clear();
    await platform.api('POST', `/v1/tenants/${removed.id}/retry`, {});
    await waitForStatus(platform, removed.id, 'deleted');
    await record(platform, 'deprovisioning-with-retry', removed.id);
  } finally {
    await platform.stop();
    await stopTestEnvironment();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
