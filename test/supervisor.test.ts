import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { DEFAULT_BACKOFF, nextRestartDelay, superviseProcess, type ManagedProcess, type RestartBackoff } from '../launcher/supervisor';
import { eventually } from './support/http';

/**
 * The launcher's supervisor: a crash-looping child is restarted for ever with exponential
 * backoff (the platform's other processes are not touched), the delay starts over once a
 * child has stayed up, and readiness comes over the IPC channel.
 */
describe('the launcher supervisor', function () {
  this.timeout(60_000);
  const fixture = path.resolve(__dirname, 'fixtures', 'supervised-child.ts');
  const FAST: RestartBackoff = { initialMs: 50, maxMs: 400, resetAfterMs: 800 };
  let dir: string;
  let supervised: ManagedProcess | undefined;
  let lines: string[];

  beforeEach(function () {
    dir = mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));
    lines = [];
  });

  afterEach(async function () {
    await supervised?.stop();
    supervised = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function supervise(script: string): ManagedProcess {
    const out = new PassThrough();
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    supervised = superviseProcess('child', fixture, { ...process.env, SCRIPT: script, COUNTER_FILE: path.join(dir, 'counter') }, {
      backoff: FAST,
      stopGraceMs: 5_000,
      log: (line) => lines.push(`[launcher] ${line}`),
      stdout: out,
      stderr: out,
    });
    return supervised;
  }

  const restartDelays = () => lines.filter((l) => l.startsWith('[launcher]')).map((l) => /restarting in (\d+) ms/.exec(l)?.[1]).filter(Boolean).map(Number);

  it('doubles the delay from 1 s to 30 s, and starts over after a minute up', function () {
    const delays: number[] = [];
    let previous: number | undefined;
    for (let i = 0; i < 8; i++) delays.push((previous = nextRestartDelay(previous, 500)));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(nextRestartDelay(30_000, 59_999), 30_000);
    assert.equal(nextRestartDelay(30_000, 60_000), 1_000);
    assert.deepEqual(DEFAULT_BACKOFF, { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 });
  });

  it('never gives up on a child that keeps crashing, backing off each time, and logs every crash', async function () {
    const child = supervise('crash');
    await eventually(async () => child.crashes >= 8, { timeoutMs: 40_000, what: () => `8 crashes:\n${lines.join('\n')}` });
    assert.deepEqual(restartDelays().slice(0, 7), [50, 100, 200, 400, 400, 400, 400]);
    const crashLines = lines.filter((l) => /^\[launcher\] child exited \(code 3\) after .+, crash \d+; restarting in \d+ ms$/.test(l));
    assert.ok(crashLines.length >= 8, lines.join('\n'));
    // The child's own output is prefixed with its name.
    assert.ok(lines.includes('[child] incarnation 0: crash'), lines.join('\n'));

    await child.stop();
    const crashes = child.crashes;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(child.crashes, crashes, 'no restart after stop()');
    assert.equal(child.pid, undefined);
    await assert.rejects(child.ready, /stopped before it was ready/);
  });

  it('is ready once a restarted child reports so over IPC, and starts the delay over after a child stayed up', async function () {
    const child = supervise('crash,crash,crash,live:1000,crash,ready');
    await child.ready;
    assert.equal(child.crashes, 5);
    // 50, 100, 200 for the quick crashes; the one that stayed up 1 s (over resetAfterMs)
    // starts over at 50, and the next quick crash doubles from there.
    assert.deepEqual(restartDelays(), [50, 100, 200, 50, 100]);
    assert.ok(lines.some((l) => /^\[launcher\] child is ready again \(pid \d+\)$/.test(l)), lines.join('\n'));
    const pid = child.pid!;
    await child.stop();
    assert.throws(() => process.kill(pid, 0), 'the child is gone after stop()');
  });
});
