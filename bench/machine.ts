import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type postgres from 'postgres';
import { resolveTemporalCli } from '../launcher/temporal-cli';

/** What the figures were measured on, written beside them. */
export async function describeMachine(sql: postgres.Sql) {
  const cpus = os.cpus();
  const [pg] = await sql<{ version: string }[]>`SELECT version()`;
  let temporal = 'unknown';
  try {
    temporal = execFileSync(await resolveTemporalCli({}), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  const version = (pkg: string) => (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: pg?.version ?? 'unknown',
    temporal,
    temporalSdk: version('@temporalio/worker'),
    express: version('express'),
    commit,
  };
}
