import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { eventually, gatewayGet, request } from './support/http';
import { newTenantBody } from './support/tenants';

/**
 * `npm start` as a user runs it: everything comes up with embedded defaults, a tenant
 * created with one request becomes active and is served, Ctrl-C leaves no process
 * behind, and the data is still there after a restart.
 */
describe('npm start', function () {
  this.timeout(240_000);
  const dataDir = path.resolve('.data', 'test-run', 'launcher');
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    API_PORT: '3917',
    GATEWAY_PORT: '8917',
    EMBEDDED_PG_PORT: '55917',
    TEMPORAL_DEV_PORT: '7917',
    TEMPORAL_DEV_UI_PORT: '8918',
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
  };
  const api = 'http://127.0.0.1:3917';
  let launcher: ChildProcess | undefined;
  let output = '';

  async function start(): Promise<void> {
    output = '';
    launcher = spawn(process.execPath, ['--require', 'tsx/cjs', 'launcher/start.ts'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    launcher.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await eventually(
      async () => {
        if (launcher!.exitCode !== null) throw new Error(`the launcher exited with ${launcher!.exitCode}:\n${output}`);
        return output.includes('Press Ctrl-C to stop.');
      },
      { timeoutMs: 120_000, what: () => `the platform to start:\n${output}` },
    );
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group. */
  async function stop(): Promise<void> {
    const child = launcher!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 0, output);
    await eventually(async () => processesUsing(dataDir).length === 0, { timeoutMs: 30_000, what: () => `no process left: ${processesUsing(dataDir).join('\n')}` });
  }

  before(function () {
    rmSync(dataDir, { recursive: true, force: true });
  });

  after(async function () {
    // A failed test still stops the platform the way a user would, so that nothing it
    // started (the Temporal server runs in a process group of its own) outlives the run.
    if (launcher && launcher.exitCode === null) {
      process.kill(-launcher.pid!, 'SIGINT');
      await new Promise((r) => launcher!.once('exit', r));
    }
  });

  it('starts everything, provisions a tenant, stops cleanly on Ctrl-C, and keeps its data across a restart', async function () {
    await start();
    assert.match(output, /API\s+http:\/\/localhost:3917/);
    assert.match(output, /Tenant gateway\s+http:\/\/<slug>\.localhost:8917/);
    assert.match(output, /Web UI http:\/\/127\.0\.0\.1:8918/);
    const [, email, password] = /email (\S+)\s+password (\S+)/.exec(output) ?? [];
    assert.ok(email && password, 'the first admin is printed');

    const session = await request(api, 'POST', '/v1/session', { email, password });
    assert.equal(session.status, 200);
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const body = newTenantBody();
    const created = await request(api, 'POST', '/v1/tenants', body, { cookie });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await eventually(async () => (await request(api, 'GET', `/v1/tenants/${body.slug}`, undefined, { cookie })).body?.tenant?.status === 'active', {
      what: 'the tenant to become active',
    });
    assert.equal((await gatewayGet(8917, `${body.slug}.localhost`)).status, 200);
    await stop();

    await start();
    assert.doesNotMatch(output, /First admin account/, 'the admin is made once');
    const again = await request(api, 'POST', '/v1/session', { email, password });
    const cookie2 = again.headers.get('set-cookie')!.split(';')[0]!;
    const detail = await request(api, 'GET', `/v1/tenants/${body.slug}`, undefined, { cookie: cookie2 });
    assert.equal(detail.body.tenant.status, 'active');
    assert.equal((await gatewayGet(8917, `${body.slug}.localhost`)).status, 200);
    // The workflow survived the restart too: it still answers operations.
    const suspended = await request(api, 'POST', `/v1/tenants/${body.slug}/suspend`, { reason: 'restart check' }, { cookie: cookie2 });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    await stop();
  });
});

function processesUsing(dataDir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(dataDir) || /launcher\/start\.ts|(worker|api|gateway)\/main\.ts/.test(line) && line.includes('3917'));
}
