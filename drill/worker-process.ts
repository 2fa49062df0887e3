import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { HeldStep } from '../activities/fault-injection';
import { HELD_PREFIX, READY_LINE, RELEASE_COMMAND, type DrillWorkerScript } from './worker-protocol';

const TSX = require.resolve('tsx/cjs');
const ENTRY = path.join(__dirname, 'drill-worker.ts');

/**
 * The drill's worker as a child process it can SIGKILL. Like the launcher's supervisor,
 * it starts the worker again if it dies on its own (counted in `unexpectedExits`, since a
 * drill should not need that).
 */
export class DrillWorkerProcess {
  private child: ChildProcess | undefined;
  private held: HeldStep[] = [];
  private expectingExit = false;
  private heldListeners: (() => void)[] = [];
  unexpectedExits = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly workflowBundlePath: string,
    private readonly log: WriteStream = createWriteStream('/dev/null'),
  ) {}

  /** Starts a worker holding the given steps; resolves once it polls. */
  start(holds: DrillWorkerScript['holds'] = []): Promise<void> {
    if (this.child) throw new Error('the drill worker is already running');
    const script: DrillWorkerScript = { workflowBundlePath: this.workflowBundlePath, holds };
    this.held = [];
    this.expectingExit = false;
    const child = spawn(process.execPath, ['--require', TSX, ENTRY, JSON.stringify(script)], { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.pipe(this.log, { end: false });
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.log.write(`${line}\n`);
        if (line === READY_LINE) resolve();
        if (line.startsWith(HELD_PREFIX)) {
          this.held.push(JSON.parse(line.slice(HELD_PREFIX.length)) as HeldStep);
          for (const listener of this.heldListeners) listener();
        }
      });
      child.once('exit', (code, signal) => {
        this.child = undefined;
        reject(new Error(`the drill worker exited (${signal ?? code}) before it was ready`));
        if (this.expectingExit) return;
        this.unexpectedExits += 1;
        this.log.write(`[drill] worker exited on its own (${signal ?? code}); starting it again\n`);
        setTimeout(() => void this.start().catch(() => {}), 1000);
      });
    });
  }

  /** Waits until `count` steps are held, all at once, so that one kill lands in all of them. */
  async waitForHolds(count: number, timeoutMs = 90_000): Promise<HeldStep[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.held.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.held.length} of ${count} steps were held within ${timeoutMs / 1000} s: ${JSON.stringify(this.held)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.heldListeners.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.heldListeners = [];
    }
    return [...this.held];
  }

  release(): void {
    this.child?.stdin?.write(`${RELEASE_COMMAND}\n`);
  }

  /** SIGKILL: no draining, no cleanup, as when a machine dies. */
  kill(): Promise<void> {
    return this.end('SIGKILL');
  }

  stop(): Promise<void> {
    return this.end('SIGTERM');
  }

  private end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    this.expectingExit = true;
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
