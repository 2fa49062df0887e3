import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
// Exported by the SDK for registering search attributes in tests; maps 'KEYWORD' to the proto enum.
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { ownServer } from '../config/owned-servers';
import { isRunning, readLogTail, sleep, waitUntil } from '../config/server-process';
import { resolveTemporalCli } from './temporal-cli';
import {
  DEFAULT_TEMPORAL_DEV_CONFIG_FILE,
  buildStartDevArgs,
  loadTemporalDevConfig,
  temporalDevAddress,
  temporalDevUiUrl,
  withOverrides,
  type SearchAttributeTypeName,
  type TemporalDevConfig,
} from './temporal-dev-config';

export interface StartTemporalDevServerOptions {
  /** Holds the SQLite file, `logs/temporal.log` and the pid file. */
  dataDir: string;
  /** Defaults to temporal-dev.yml at the repository root. */
  configFile?: string;
  /** Keep all state in memory (tests); otherwise `<dataDir>/<dbFile>` persists it. */
  ephemeral?: boolean;
  port?: number;
  /** Defaults to the config's UI port, or `port + 1000` when `port` is overridden. */
  uiPort?: number;
  headless?: boolean;
  log?: (line: string) => void;
  /** The `temporal` binary; found or installed with resolveTemporalCli when unset. */
  cliPath?: string;
  /** How long to wait for the frontend, the search attributes and the UI; 60 s by default. */
  readyTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port of the gRPC frontend, for `Connection.connect({ address })`. */
  address: string;
  namespace: string;
  /** Base URL of the Web UI; null when headless. */
  uiUrl: string | null;
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

const PID_FILE = 'temporal-dev.pid';
const STOP_GRACE_MS = 10_000;

/**
 * Starts `temporal server start-dev` as configured by temporal-dev.yml and resolves once the
 * frontend answers, the custom search attributes are registered and (unless headless) the
 * Web UI responds, so callers can start workers and workflows right away. The server runs in
 * its own process group; a server left behind by an earlier run that was killed is stopped first.
 */
export async function startTemporalDevServer(opts: StartTemporalDevServerOptions): Promise<TemporalDevServer> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const config = withOverrides(loadTemporalDevConfig(opts.configFile ?? DEFAULT_TEMPORAL_DEV_CONFIG_FILE), opts);
  const address = temporalDevAddress(config);
  const uiUrl = temporalDevUiUrl(config);
  const logFile = path.join(dataDir, 'logs', 'temporal.log');
  const pidFile = path.join(dataDir, PID_FILE);

  const cli = opts.cliPath ?? (await resolveTemporalCli({ log }));
  await mkdir(path.dirname(logFile), { recursive: true });
  const stoppedStale = await stopStaleServer(pidFile, dataDir, log);
  // A server just stopped may take a moment to release its sockets.
  await ensurePortsFree(config, dataDir, stoppedStale ? 5_000 : 0);

  const args = buildStartDevArgs(config, { dataDir, ephemeral: opts.ephemeral });
  const { child, logOffset } = spawnDetached(cli, args, logFile, dataDir);
  let exitInfo: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolve();
    }),
  );
  const pid = await spawned(child);
  // If this process ends without stop(), the server goes with it (SIGKILL: no time to wait).
  const release = ownServer(() => {
    signalGroup(pid, 'SIGKILL');
    removePidFileIfOursSync(pidFile, pid);
  });
  const record: PidRecord = { pid, ownerPid: process.pid, address, startedAt: new Date().toISOString() };
  await writeFile(pidFile, JSON.stringify(record) + '\n');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await terminate(pid, exited);
      release();
      await removePidFileIfOurs(pidFile, pid);
    })());

  const started = Date.now();
  log(`Starting Temporal dev server at ${address} (${opts.ephemeral ? 'in memory' : path.join(dataDir, config.dbFile)}), log: ${logFile}`);
  try {
    await waitUntilReady({
      address,
      config,
      uiUrl,
      deadline: started + (opts.readyTimeoutMs ?? 60_000),
      exitInfo: () => exitInfo,
    });
  } catch (err) {
    // Read before stopping: the server's shutdown warnings would bury the cause.
    const tail = await readLogTail(logFile, logOffset, 20);
    await stop();
    throw new Error(`Temporal dev server did not become ready: ${(err as Error).message}${tail ? `\nLast lines of ${logFile}:\n${tail}` : ''}`);
  }
  log(`Temporal dev server ready at ${address} after ${((Date.now() - started) / 1000).toFixed(1)} s${uiUrl ? `, Web UI ${uiUrl}` : ''}`);
  return { address, namespace: config.namespace, uiUrl, pid, logFile, stop };
}

function spawnDetached(cli: string, args: string[], logFile: string, cwd: string): { child: ChildProcess; logOffset: number } {
  const fd = openSync(logFile, 'a');
  try {
    // Appended, not truncated: the previous run's log is what explains a crash.
    writeSync(fd, `\n=== ${new Date().toISOString()} ${cli} ${args.join(' ')}\n`);
    const logOffset = fstatSync(fd).size;
    // detached: a process group of its own, so stop() reaches everything it starts, and a
    // Ctrl-C meant for the launcher does not kill the server before the worker drains.
    const child = spawn(cli, args, { cwd, detached: true, stdio: ['ignore', fd, fd] });
    // The server must not keep a finished script alive; the 'exit' hook below stops it then.
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

async function waitUntilReady(p: {
  address: string;
  config: TemporalDevConfig;
  uiUrl: string | null;
  deadline: number;
  exitInfo: () => string | undefined;
}): Promise<void> {
  const namespace = p.config.namespace;
  let connection: Connection | undefined;
  let waitingFor = 'the frontend to accept connections';
  let lastError = '';
  try {
    for (;;) {
      const exit = p.exitInfo();
      if (exit) throw new Error(`the server ${exit} while waiting for ${waitingFor}`);
      if (Date.now() > p.deadline) throw new Error(`timed out waiting for ${waitingFor}${lastError ? ` (last error: ${lastError})` : ''}`);
      try {
        connection ??= await connectOnce(p.address);
        waitingFor = `search attributes in namespace ${namespace}`;
        const conn = connection;
        const { customAttributes } = await conn.withDeadline(Date.now() + 5_000, () => conn.operatorService.listSearchAttributes({ namespace }));
        const missing = checkSearchAttributes(p.config.searchAttributes, customAttributes ?? {});
        if (missing.length === 0) {
          if (!p.uiUrl) return;
          waitingFor = `the Web UI at ${p.uiUrl}`;
          const res = await fetch(p.uiUrl, { signal: AbortSignal.timeout(5_000) });
          if (res.status < 500) return;
          lastError = `HTTP ${res.status}`;
        } else {
          waitingFor = `search attributes ${missing.join(', ')} in namespace ${namespace}`;
        }
      } catch (err) {
        if (err instanceof WrongSearchAttributeType) throw err;
        // Anything else is the server still starting; keep polling until the deadline.
        lastError = (err as Error).message;
      }
      await sleep(250);
    }
  } finally {
    await connection?.close();
  }
}

/** Resolves once getSystemInfo succeeds, i.e. the frontend serves; a failed attempt's channel is closed. */
async function connectOnce(address: string): Promise<Connection> {
  const conn = Connection.lazy({ address, connectTimeout: 2_000 });
  try {
    await conn.ensureConnected();
    return conn;
  } catch (err) {
    await conn.close();
    throw err;
  }
}

class WrongSearchAttributeType extends Error {}

const TO_SDK_TYPE = {
  Text: 'TEXT',
  Keyword: 'KEYWORD',
  Int: 'INT',
  Double: 'DOUBLE',
  Bool: 'BOOL',
  Datetime: 'DATETIME',
  KeywordList: 'KEYWORD_LIST',
} as const satisfies Record<SearchAttributeTypeName, string>;

function typeName(value: unknown): string {
  const found = Object.entries(TO_SDK_TYPE).find(([, sdk]) => encodeSearchAttributeIndexedValueType(sdk) === value);
  return found ? found[0] : `unknown (${String(value)})`;
}

/** Names still missing; throws when one exists with another type, which waiting cannot fix. */
function checkSearchAttributes(wanted: Record<string, SearchAttributeTypeName>, actual: Record<string, unknown>): string[] {
  const missing: string[] = [];
  for (const [name, type] of Object.entries(wanted)) {
    const expected = encodeSearchAttributeIndexedValueType(TO_SDK_TYPE[type]);
    if (!(name in actual)) missing.push(name);
    else if (actual[name] !== expected) {
      throw new WrongSearchAttributeType(
        `search attribute ${name} is registered as ${typeName(actual[name])}, not ${type}; ` +
          'the SQLite file predates this type: delete it or rename the attribute',
      );
    }
  }
  return missing;
}

/** What `<dataDir>/temporal-dev.pid` records about the server started there. */
interface PidRecord {
  pid: number;
  /** The process that started it and whose exit ends it. */
  ownerPid: number;
  address: string;
  startedAt: string;
}

async function readPidRecord(pidFile: string): Promise<Partial<PidRecord> | undefined> {
  try {
    return JSON.parse(await readFile(pidFile, 'utf8')) as Partial<PidRecord>;
  } catch {
    return undefined;
  }
}

/**
 * A launcher killed with SIGKILL (or a crashed test run) leaves its server running and
 * holding the port. The pid file says which process that was; it is stopped only if its
 * owner is gone and it still is a `temporal server start-dev`, so neither a server another
 * live process is using nor a recycled pid is ever killed.
 */
async function stopStaleServer(pidFile: string, dataDir: string, log: (line: string) => void): Promise<boolean> {
  const rec = await readPidRecord(pidFile);
  const pid = Number(rec?.pid);
  if (rec && Number.isInteger(pid) && pid > 1 && isDevServerProcess(pid)) {
    const owner = Number(rec.ownerPid);
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
      const who = owner === process.pid ? 'this process' : `process ${owner}`;
      throw new Error(`A Temporal dev server (pid ${pid}, ${rec.address}) started by ${who} is already running with data folder ${dataDir}; stop it first.`);
    }
    log(`Stopping the Temporal dev server (pid ${pid}) left running by an earlier run with this data folder`);
    signalGroup(pid, 'SIGTERM');
    if (!(await waitUntil(() => !isRunning(pid), STOP_GRACE_MS))) {
      signalGroup(pid, 'SIGKILL');
      await waitUntil(() => !isRunning(pid), 5_000);
    }
    await rm(pidFile, { force: true });
    return true;
  }
  await rm(pidFile, { force: true });
  return false;
}

function isDevServerProcess(pid: number): boolean {
  if (!isRunning(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('server') && argv.includes('start-dev');
  } catch {
    // No /proc (macOS): trust the pid file rather than leave the port blocked.
    return true;
  }
}

async function ensurePortsFree(config: TemporalDevConfig, dataDir: string, graceMs: number): Promise<void> {
  const ports = [{ what: 'frontend', port: config.port }];
  if (config.ui.enabled) ports.push({ what: 'Web UI', port: config.ui.port });
  for (const { what, port } of ports) {
    if (await waitUntil(() => isPortFree(config.ip, port), graceMs)) continue;
    throw new Error(
      `Port ${port} on ${config.ip} (Temporal ${what}) is in use, and not by a dev server started with data folder ${dataDir}. ` +
        'Stop whatever holds it, choose other ports in temporal-dev.yml, or set TEMPORAL_ADDRESS to use the server already running there.',
    );
  }
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function terminate(pid: number, exited: Promise<void>): Promise<void> {
  // Each wait clears its timer so that a stopped server does not hold the event loop open.
  const gone = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  if (await gone(0)) return signalGroup(pid, 'SIGKILL');
  signalGroup(pid, 'SIGTERM');
  if (!(await gone(STOP_GRACE_MS))) {
    signalGroup(pid, 'SIGKILL');
    await gone(5_000);
  }
  // Anything the server started and left in its group goes with it.
  signalGroup(pid, 'SIGKILL');
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

async function removePidFileIfOurs(pidFile: string, pid: number): Promise<void> {
  // A pid file that is missing or names a newer server is left alone.
  if ((await readPidRecord(pidFile))?.pid === pid) await rm(pidFile, { force: true });
}

function removePidFileIfOursSync(pidFile: string, pid: number): void {
  try {
    if ((JSON.parse(readFileSync(pidFile, 'utf8')) as { pid?: unknown }).pid === pid) rmSync(pidFile, { force: true });
  } catch {
    // Nothing to clean.
  }
}
