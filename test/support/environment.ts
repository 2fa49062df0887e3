import path from 'node:path';
import { rm } from 'node:fs/promises';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../db/embedded-postgres';

/**
 * The real services the suite runs against, started once per mocha run and shared by
 * every test file. Each test file creates what it needs (databases, tenants) with
 * unique names, so files do not depend on each other's leftovers.
 */
export interface TestEnvironment {
  /** Superuser URL of the test PostgreSQL server's maintenance database. */
  adminUrl: string;
  /** Scratch folder for this run (storage roots, mail outboxes). */
  scratchDir: string;
}

const runDir = path.resolve('.data', 'test');
let started: Promise<{ env: TestEnvironment; postgres: EmbeddedPostgres }> | undefined;

export function testEnvironment(): Promise<TestEnvironment> {
  started ??= start();
  return started.then((s) => s.env);
}

async function start() {
  await rm(path.join(runDir, 'scratch'), { recursive: true, force: true });
  // A fresh cluster each run keeps runs independent of one another.
  await rm(path.join(runDir, 'pg'), { recursive: true, force: true });
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(runDir, 'pg'),
    port: Number(process.env.TEST_PG_PORT ?? 55432),
  });
  return { postgres, env: { adminUrl: postgres.adminUrl, scratchDir: path.join(runDir, 'scratch') } };
}

export async function stopTestEnvironment(): Promise<void> {
  if (!started) return;
  const s = await started;
  await s.postgres.stop();
}
