/**
 * Servers this process started in process groups of their own (embedded PostgreSQL, the
 * Temporal dev server). Their stop() is the orderly path; this is the safety net for a
 * process.exit(), an uncaught exception, or a signal that nobody else handles, when the
 * servers would otherwise outlive this process. A SIGKILL of this process cannot be
 * caught: the pid files the servers keep cover that case on the next start.
 *
 * One module for all of them, so that the signal handlers never mistake one another for
 * "someone else owns this signal" (the launcher's orderly shutdown does).
 */
type Release = () => void;

const owned = new Set<() => void>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Registers `kill` (synchronous, best effort) to run if this process ends first; call the returned function once stopped. */
export function ownServer(kill: () => void): Release {
  if (owned.size === 0) install();
  owned.add(kill);
  return () => {
    if (owned.delete(kill) && owned.size === 0) uninstall();
  };
}

function install(): void {
  process.on('exit', killAll);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.removeListener('exit', killAll);
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

function killAll(): void {
  for (const kill of owned) {
    try {
      kill();
    } catch {
      // Best effort: the next start's stale-server handling covers the rest.
    }
  }
  owned.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another handler (the launcher's orderly shutdown, mocha) owns this signal and stops the servers itself.
  if (process.listenerCount(signal) > 1) return;
  // Ours is the only handler, so without it the signal would have ended the process: stop the
  // servers, then let the signal do just that.
  killAll();
  uninstall();
  process.kill(process.pid, signal);
}
