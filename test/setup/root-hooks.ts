import { rm } from 'node:fs/promises';
import { stopTestEnvironment, TEST_RUN_DIR } from '../support/environment';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestEnvironment();
    // A run leaves hundreds of MB (clusters, Temporal state, tenant storage). Once every
    // service of the run has stopped, its folder goes, unless KEEP_TEST_DATA=1 keeps it to look at.
    if (process.env.KEEP_TEST_DATA === '1') console.log(`KEEP_TEST_DATA=1: the run's data stays in ${TEST_RUN_DIR}`);
    else await rm(TEST_RUN_DIR, { recursive: true, force: true });
  },
};
