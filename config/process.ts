import { Runtime, DefaultLogger } from '@temporalio/worker';
import type { Settings } from './settings';

/** Settings every long-running process needs, with the reason when one is missing. */
export function requireSetting<K extends keyof Settings>(settings: Settings, key: K): NonNullable<Settings[K]> {
  const value = settings[key];
  if (value === undefined || value === null || value === '') {
    throw new Error(`${String(key)} is not set. Start the whole platform with \`npm start\`, or set ${String(key)} to run this process on its own.`);
  }
  return value as NonNullable<Settings[K]>;
}

/**
 * Runs `cleanup` once on SIGINT, SIGTERM or SIGHUP, then exits. Under `npm start` two come: the
 * terminal's Ctrl-C reaches the whole process group and the launcher then sends SIGTERM,
 * so the handlers stay for later signals too, which change nothing (the launcher's
 * SIGKILL after its grace period is the forceful way).
 */
export function onShutdown(name: string, cleanup: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${name}] ${signal}: shutting down`);
    cleanup()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(`[${name}] shutdown failed`, err);
        process.exit(1);
      });
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, () => stop(signal));
}

/** Ctrl-C, the launcher's or a service manager's stop, and a closed terminal. */
export const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Says that this process now serves: a line in its log, and, when a supervisor started it
 * with an IPC channel (launcher/supervisor.ts), a `{ type: 'ready' }` message, which the
 * launcher waits for before it says the platform is running.
 */
export function announceReady(line: string): void {
  console.log(line);
  process.send?.({ type: 'ready' });
}

/** The SDK's INFO is chatty (bundler output, worker state changes): it only shows at LOG_LEVEL=debug. */
export function installTemporalLogging(settings: Settings, opts: { shutdownSignals?: NodeJS.Signals[] } = {}): void {
  const level = settings.LOG_LEVEL === 'debug' ? 'INFO' : settings.LOG_LEVEL === 'error' ? 'ERROR' : 'WARN';
  Runtime.install({ logger: new DefaultLogger(level), ...(opts.shutdownSignals ? { shutdownSignals: opts.shutdownSignals } : {}) });
}
