import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { embeddedPostgresInUse, runningEmbeddedPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
import { TEST_RUN_DIR } from './support/environment';
import { eventually } from './support/http';
import { freePorts } from './support/ports';

/**
 * Embedded PostgreSQL as the launcher runs it: in a process group of its own (a terminal's
 * Ctrl-C cannot reach it), ready when it accepts connections, stopped only by its owner,
 * idempotently, and a server left behind by a killed owner is stopped on the next start.
 */
describe('embedded PostgreSQL', function () {
  this.timeout(120_000);
  const root = path.join(TEST_RUN_DIR, 'embedded-postgres');
  const dataDir = path.join(root, 'postgres');
  const started: EmbeddedPostgres[] = [];
  const start = async (opts: { dataDir: string; port: number }) => {
    const pg = await startEmbeddedPostgres(opts);
    started.push(pg);
    return pg;
  };

  before(async function () {
    await rm(root, { recursive: true, force: true });
  });

  afterEach(async function () {
    await Promise.all(started.splice(0).map((pg) => pg.stop()));
  });

  it('runs in a session and process group of its own, logs to <data>/../logs/postgres.log, and stops idempotently', async function () {
    const [port] = await freePorts(1);
    const pg = await start({ dataDir, port: port! });
    const { pgrp, session } = processGroupOf(pg.pid);
    assert.equal(pgrp, pg.pid, 'its own process group');
    assert.equal(session, pg.pid, 'its own session: no controlling terminal');
    assert.notEqual(pgrp, processGroupOf(process.pid).pgrp);
    assert.equal(pg.logFile, path.join(root, 'logs', 'postgres.log'));
    assert.match(readFileSync(pg.logFile, 'utf8'), /database system is ready to accept connections/);
    assert.equal(await runningEmbeddedPort(dataDir), port);
    assert.equal(existsSync(`${dataDir}.owner`), true);

    const sql = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
    assert.equal((await sql`SELECT current_setting('data_directory') AS dir`)[0]!.dir, dataDir);
    await sql.end();

    await Promise.all([pg.stop(), pg.stop()]);
    await pg.stop();
    assert.throws(() => process.kill(pg.pid, 0), 'the server is gone');
    assert.equal(await runningEmbeddedPort(dataDir), null);
    assert.equal(existsSync(`${dataDir}.owner`), false);
    assert.match(readFileSync(pg.logFile, 'utf8'), /received fast shutdown request/);
  });

  it('stops at once when the server is already gone', async function () {
    const [port] = await freePorts(1);
    const pg = await start({ dataDir, port: port! });
    process.kill(pg.pid, 'SIGKILL');
    const t0 = Date.now();
    await pg.stop();
    assert.ok(Date.now() - t0 < 2_000, `stop() took ${Date.now() - t0} ms`);
  });

  it('stops a server left running by an owner that was killed, then starts afresh; one whose owner lives is refused', async function () {
    const [port] = await freePorts(1);
    // An owner in another process, killed outright once its server is up.
    const owner = spawn(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        '-e',
        `require('./db/embedded-postgres').startEmbeddedPostgres(${JSON.stringify({ dataDir, port })})` +
          `.then((pg) => console.log('PID ' + pg.pid), (e) => { console.error(e); process.exit(1); }); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    owner.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const orphan = Number(await eventually(async () => /PID (\d+)/.exec(out)?.[1], { timeoutMs: 60_000, what: 'the owner to start PostgreSQL' }));

    await assert.rejects(start({ dataDir, port: port! }), /already running for process \d+/);
    assert.equal(await embeddedPostgresInUse(dataDir), true);

    owner.kill('SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    // Its own process group: the owner's death does not end it.
    assert.doesNotThrow(() => process.kill(orphan, 0), 'the server outlives its killed owner');
    assert.equal(await embeddedPostgresInUse(dataDir), false);

    const pg = await start({ dataDir, port: port! });
    assert.notEqual(pg.pid, orphan);
    await eventually(async () => !isRunning(orphan), { timeoutMs: 10_000, what: 'the orphaned server to be gone' });
  });

  it('fails with the reason when its port is taken by another PostgreSQL', async function () {
    const [port] = await freePorts(1);
    await start({ dataDir, port: port! });
    await assert.rejects(start({ dataDir: path.join(root, 'other', 'postgres'), port: port! }), (err: Error) => {
      assert.match(err.message, /did not start/);
      assert.match(err.message, /exited with code|answered by the PostgreSQL of/);
      return true;
    });
  });
});

function processGroupOf(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(pgrp), session: Number(session) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
