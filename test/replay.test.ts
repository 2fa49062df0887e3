import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { testEnvironment } from './support/environment';

/**
 * Recorded histories of real tenant workflows (test/replay/histories, made by
 * test/replay/record-histories.ts) replayed against the current workflow code: a change
 * that would make running tenants fail with a non-determinism error fails here first.
 */
describe('replaying recorded tenant workflow histories', function () {
  const dir = path.join(__dirname, 'replay', 'histories');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has the histories of provisioning, failure and retry, suspend and resume, and de-provisioning', function () {
    assert.deepEqual(files.sort(), ['deprovisioning-with-retry.json', 'failure-and-retry.json', 'provisioning.json', 'suspend-and-resume.json']);
  });

  for (const file of files) {
    it(`replays ${file} without a non-determinism error`, async function () {
      const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      const workflowBundle = await (await testEnvironment()).workflowBundle();
      await Worker.runReplayHistory({ workflowBundle, replayName: file }, history, `replay-${file}`);
    });
  }
});
