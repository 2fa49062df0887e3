import path from 'node:path';
import { rm } from 'node:fs/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded-postgres';
import { startTemporalDevServer, type TemporalDevServer } from '../../launcher/temporal-dev-server';

/**
 * The real services the suite runs against, started once per mocha run and shared by
 * every test file: embedded PostgreSQL and the Temporal dev server (with the
 * search attributes of temporal-dev.yml). Each test file creates what it needs
 * (databases, task queues, tenants) under unique names, so files do not depend on
 * each other's leftovers.
 */
export interface TestEnvironment {
  /** Superuser URL of the test PostgreSQL server's maintenance database. */
  adminUrl: string;
  /** Scratch folder for this run (storage roots, mail outboxes). */
  scratchDir: string;
  temporal: TestWorkflowEnvironment;
  temporalAddress: string;
  /** The workflow code, bundled once for every worker of the run. */
  workflowBundle(): Promise<WorkflowBundleWithSourceMap>;
}

/** Everything a test run writes; root-hooks.ts deletes it after the run unless KEEP_TEST_DATA=1. */
export const TEST_RUN_DIR = path.resolve('.data', 'test-run');
const runDir = TEST_RUN_DIR;
/** The run's PostgreSQL cluster. */
export const TEST_PG_DATA_DIR = path.join(TEST_RUN_DIR, 'pg');
interface Started {
  env: TestEnvironment;
  postgres: EmbeddedPostgres;
  temporalServer: TemporalDevServer;
}
let started: Promise<Started> | undefined;
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export function testEnvironment(): Promise<TestEnvironment> {
  started ??= start();
  return started.then((s) => s.env);
}

async function start(): Promise<Started> {
  // Step failures are what several tests provoke on purpose; the step records show them.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.message !== 'Activity failed') console.warn(`[temporal ${entry.level}] ${entry.message}`, entry.meta ?? '');
    }),
  });
  // A fresh cluster and scratch folder each run keep runs independent of one another.
  await rm(runDir, { recursive: true, force: true });
  const [postgres, temporalServer] = await Promise.all([
    startEmbeddedPostgres({ dataDir: TEST_PG_DATA_DIR, port: Number(process.env.TEST_PG_PORT ?? 55432) }),
    // Started by us rather than TestWorkflowEnvironment.createLocal, whose 5 s start-up
    // limit a loaded 2-core machine misses; the SDK's test environment then attaches to it.
    startTemporalDevServer({
      dataDir: path.join(runDir, 'temporal'),
      ephemeral: true,
      headless: true,
      port: Number(process.env.TEST_TEMPORAL_PORT ?? 7288),
    }),
  ]);
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({
    address: temporalServer.address,
    namespace: temporalServer.namespace,
  });
  const env: TestEnvironment = {
    adminUrl: postgres.adminUrl,
    scratchDir: path.join(runDir, 'scratch'),
    temporal,
    temporalAddress: temporalServer.address,
    workflowBundle: () => (bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger })),
  };
  return { env, postgres, temporalServer };
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

export async function stopTestEnvironment(): Promise<void> {
  if (!started) return;
  const s = await started;
  await s.env.temporal.teardown().catch(() => {});
  await Promise.all([s.temporalServer.stop(), s.postgres.stop()]);
}
