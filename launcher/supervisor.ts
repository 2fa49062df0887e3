import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ManagedProcess {
  name: string;
  /**
   * Resolves the first time the child reports that it is ready (see announceReady in
   * config/process.ts); a child that crashes before that is restarted and waited for again.
   * Rejects only if stop() is called first.
   */
  ready: Promise<void>;
  /** Process id of the current child, if one is running. */
  readonly pid: number | undefined;
  /** How many times the child has exited unasked so far. */
  readonly crashes: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the child is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface RestartBackoff {
  /** Delay before the first restart of a run of crashes. */
  initialMs: number;
  /** Each further crash in a row doubles the delay, up to this. */
  maxMs: number;
  /** A child that stayed up this long before crashing starts again from initialMs. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: RestartBackoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

export interface SuperviseOptions {
  backoff?: RestartBackoff;
  /** How long stop() waits after SIGTERM before SIGKILL; 15 s by default. */
  stopGraceMs?: number;
  /** The supervisor's own lines (crashes, restarts); console.error with a `[launcher]` prefix by default. */
  log?: (line: string) => void;
  /** Where the child's prefixed output goes; the launcher's stdout and stderr by default. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** The message a child sends over its IPC channel once it serves. */
export interface ReadyMessage {
  type: 'ready';
}

const TSX = require.resolve('tsx/cjs');

/**
 * The delay before the next restart: `initialMs` after a child that had stayed up for
 * `resetAfterMs` or more (or on the first crash), otherwise twice the previous delay, capped
 * at `maxMs`.
 */
export function nextRestartDelay(previousDelayMs: number | undefined, uptimeMs: number, backoff: RestartBackoff = DEFAULT_BACKOFF): number {
  if (previousDelayMs === undefined || uptimeMs >= backoff.resetAfterMs) return backoff.initialMs;
  return Math.min(previousDelayMs * 2, backoff.maxMs);
}

/**
 * Runs one of the platform's TypeScript entry points as a child process, prefixing its
 * output with its name, and restarts it whenever it dies unasked: a worker killed mid-step
 * must come back for its tenants to finish, and one process crash-looping must not take
 * the others (and with them every tenant's subdomain) down. It never gives up; restarts
 * back off exponentially (1 s doubling to 30 s, from 1 s again once it has stayed up a
 * minute), and each crash and the next delay are logged.
 *
 * The child has an IPC channel and reports readiness with a `{ type: 'ready' }` message.
 */
export function superviseProcess(name: string, entry: string, env: NodeJS.ProcessEnv, opts: SuperviseOptions = {}): ManagedProcess {
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const log = opts.log ?? ((line: string) => console.error(`[launcher] ${line}`));
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  let child: ChildProcess | undefined;
  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let lastDelay: number | undefined;
  let crashes = 0;
  let everReady = false;

  let markReady!: () => void;
  let abandonReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    abandonReady = reject;
  });
  // A launcher stopped before its children were ready need not handle this.
  ready.catch(() => {});

  const pipe = (input: NodeJS.ReadableStream, out: NodeJS.WritableStream) => {
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => {
      if (line.trim()) out.write(`${line.startsWith('[') ? '' : `[${name}] `}${line}\n`);
    });
  };

  const start = () => {
    restartTimer = undefined;
    const startedAt = Date.now();
    const proc = spawn(process.execPath, ['--require', TSX, entry], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child = proc;
    pipe(proc.stdout!, stdout);
    pipe(proc.stderr!, stderr);
    proc.on('message', (message: unknown) => {
      if ((message as ReadyMessage | null)?.type !== 'ready') return;
      if (crashes > 0) log(`${name} is ready again (pid ${proc.pid})`);
      if (!everReady) {
        everReady = true;
        markReady();
      }
    });
    let gone = false;
    const onGone = (how: string) => {
      if (gone) return;
      gone = true;
      if (child === proc) child = undefined;
      if (stopping) return;
      crashes++;
      const uptimeMs = Date.now() - startedAt;
      const delay = nextRestartDelay(lastDelay, uptimeMs, backoff);
      lastDelay = delay;
      log(`${name} ${how} after ${formatDuration(uptimeMs)}, crash ${crashes}; restarting in ${formatDuration(delay)}`);
      restartTimer = setTimeout(start, delay);
    };
    // Without a pid the process never started, and no 'exit' follows.
    proc.on('error', (err) => proc.pid === undefined && onGone(`could not be started (${err.message})`));
    proc.once('exit', (code, signal) => onGone(`exited (${signal ? `signal ${signal}` : `code ${code}`})`));
  };
  start();

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve) => {
      stopping = true;
      if (restartTimer) clearTimeout(restartTimer);
      abandonReady(new Error(`${name} was stopped before it was ready`));
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      const timer = setTimeout(() => proc.kill('SIGKILL'), opts.stopGraceMs ?? 15_000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    }));

  return {
    name,
    ready,
    get pid() {
      return child?.pid;
    },
    get crashes() {
      return crashes;
    },
    stop,
  };
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
