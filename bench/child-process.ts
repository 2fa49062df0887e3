import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

const TSX = require.resolve('tsx/cjs');

/** One of the platform's own entry points (worker/main.ts, api/main.ts) run as it runs in production. */
export class PlatformProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: WriteStream,
  ) {}

  /** Starts the process and resolves once a line of its output matches `ready`. */
  start(ready: RegExp, timeoutMs = 120_000): Promise<void> {
    const child = spawn(process.execPath, ['--require', TSX, this.entry], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => this.log.write(`[${this.name}] ${d.toString('utf8')}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${timeoutMs / 1000} s`)), timeoutMs);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        this.log.write(`[${this.name}] ${line}\n`);
        if (ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${signal ?? code})`));
      });
    });
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  /** Forgets the peak resident set size so far (Linux: /proc/<pid>/clear_refs). */
  resetPeakMemory(): void {
    writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
  }

  /** Peak resident set size since the start or the last reset, in MiB (VmHWM). */
  peakMemoryMiB(): number {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  }

  stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}
