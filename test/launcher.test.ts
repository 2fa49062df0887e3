import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { eventually, gatewayGet, request } from './support/http';
import { freePorts } from './support/ports';
import { newTenantBody } from './support/tenants';
import { TEST_RUN_DIR } from './support/environment';

/**
 * `npm start` as a user runs it: everything comes up with embedded defaults, a tenant
 * created with one request becomes active and is served, Ctrl-C while another tenant is
 * provisioning stops the children first and PostgreSQL last and leaves no process behind,
 * and the data (and the interrupted tenant's workflow) is still there after a restart.
 * Ports are picked free at run time, so two runs on one machine do not collide.
 */
describe('npm start', function () {
  this.timeout(300_000);
  const dataDir = path.join(TEST_RUN_DIR, 'launcher');
  let ports: { api: number; gateway: number; postgres: number; temporal: number; temporalUi: number };
  let env: NodeJS.ProcessEnv;
  let api: string;
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
      { timeoutMs: 200_000, what: () => `the platform to start:\n${output}` },
    );
  }

  /** Ctrl-C in a terminal: SIGINT to the whole process group. */
  async function stop(): Promise<void> {
    const child = launcher!;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    process.kill(-child.pid!, 'SIGINT');
    assert.equal(await exited, 0, output);
    await eventually(async () => processesUsing(dataDir, ports.api).length === 0, {
      timeoutMs: 30_000,
      what: () => `no process left: ${processesUsing(dataDir, ports.api).join('\n')}`,
    });
  }

  before(async function () {
    rmSync(dataDir, { recursive: true, force: true });
    const [apiPort, gatewayPort, postgresPort, temporalPort, temporalUiPort] = await freePorts(5);
    ports = { api: apiPort!, gateway: gatewayPort!, postgres: postgresPort!, temporal: temporalPort!, temporalUi: temporalUiPort! };
    env = {
      ...process.env,
      DATA_DIR: dataDir,
      API_PORT: String(ports.api),
      GATEWAY_PORT: String(ports.gateway),
      EMBEDDED_PG_PORT: String(ports.postgres),
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_DEV_UI_PORT: String(ports.temporalUi),
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
    };
    api = `http://127.0.0.1:${ports.api}`;
  });

  after(async function () {
    // A failed test still stops the platform the way a user would, so that nothing it
    // started (PostgreSQL and Temporal run in process groups of their own) outlives the run.
    if (launcher && launcher.exitCode === null) {
      process.kill(-launcher.pid!, 'SIGINT');
      await new Promise((r) => launcher!.once('exit', r));
    }
  });

  it('starts everything, provisions a tenant, stops in order on Ctrl-C mid-provisioning, and keeps its data across a restart', async function () {
    await start();
    assert.match(output, new RegExp(`API\\s+http://localhost:${ports.api}`));
    assert.match(output, new RegExp(`Tenant gateway\\s+http://<slug>\\.localhost:${ports.gateway}`));
    assert.match(output, new RegExp(`Web UI http://127\\.0\\.0\\.1:${ports.temporalUi}`));
    // The banner waits for each child's readiness, the worker's polling included.
    const banner = output.indexOf('ActionConnect tenant platform is running');
    for (const ready of ['[worker] polling task queue', '[api] listening on', '[gateway] serving']) {
      assert.ok(output.indexOf(ready) !== -1 && output.indexOf(ready) < banner, `${ready} before the banner:\n${output}`);
    }
    const [, email, password] = /email (\S+)\s+password (\S+)/.exec(output) ?? [];
    assert.ok(email && password, 'the first admin is printed');

    // PostgreSQL is in a session and process group of its own: a terminal's Ctrl-C to the
    // launcher's group cannot reach it, only the launcher stops it.
    const postmaster = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const { pgrp, session } = processGroupOf(postmaster);
    assert.notEqual(pgrp, launcher!.pid, 'PostgreSQL is not in the launcher process group');
    assert.equal(pgrp, postmaster);
    assert.equal(session, postmaster);

    const session1 = await request(api, 'POST', '/v1/session', { email, password });
    assert.equal(session1.status, 200);
    const cookie = session1.headers.get('set-cookie')!.split(';')[0]!;
    const body = newTenantBody();
    const created = await request(api, 'POST', '/v1/tenants', body, { cookie });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await eventually(async () => (await request(api, 'GET', `/v1/tenants/${body.slug}`, undefined, { cookie })).body?.tenant?.status === 'active', {
      what: 'the tenant to become active',
    });
    assert.equal((await gatewayGet(ports.gateway, `${body.slug}.localhost`)).status, 200);

    // Ctrl-C while more tenants are provisioning, as soon as one of their steps runs: the
    // worker finishes the steps in flight while PostgreSQL is still up (the launcher's
    // SIGTERM after the terminal's SIGINT does not kill it), and the workflows go on after
    // the restart.
    const interrupted = [newTenantBody(), newTenantBody(), newTenantBody()];
    for (const res of await Promise.all(interrupted.map((b) => request(api, 'POST', '/v1/tenants', b, { cookie })))) assert.equal(res.status, 202);
    await eventually(
      async () => {
        const details = await Promise.all(interrupted.map((b) => request(api, 'GET', `/v1/tenants/${b.slug}`, undefined, { cookie })));
        return details.some((d) => (d.body?.steps ?? []).some((step: { status: string }) => step.status === 'running'));
      },
      { timeoutMs: 30_000, what: 'a step of the new tenants to run' },
    );
    await stop();
    const order = ['stopping worker, api, gateway', 'stopping the Temporal dev server', 'stopping PostgreSQL', '[launcher] stopped'].map((line) =>
      output.indexOf(line),
    );
    assert.ok(order.every((at, i) => at !== -1 && (i === 0 || at > order[i - 1]!)), `children, Temporal, then PostgreSQL:\n${output}`);
    assert.ok(output.indexOf('[worker] stopped') !== -1 && output.indexOf('[worker] stopped') < order[1]!, `the worker stopped by itself:\n${output}`);
    assert.doesNotMatch(output, /database system is shutting down/);
    assert.doesNotMatch(output, /exited \(.*\).*restarting in/, 'no child is restarted while stopping');

    await start();
    assert.doesNotMatch(output, /First admin account/, 'the admin is made once');
    const again = await request(api, 'POST', '/v1/session', { email, password });
    const cookie2 = again.headers.get('set-cookie')!.split(';')[0]!;
    const detail = await request(api, 'GET', `/v1/tenants/${body.slug}`, undefined, { cookie: cookie2 });
    assert.equal(detail.body.tenant.status, 'active');
    assert.equal((await gatewayGet(ports.gateway, `${body.slug}.localhost`)).status, 200);
    // The workflow survived the restart too: it still answers operations.
    const suspended = await request(api, 'POST', `/v1/tenants/${body.slug}/suspend`, { reason: 'restart check' }, { cookie: cookie2 });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    // The tenants interrupted by Ctrl-C finish provisioning, and no step ran twice or
    // failed: each one in flight at the Ctrl-C was finished, none abandoned.
    for (const b of interrupted) {
      const finished = await eventually(
        async () => {
          const res = await request(api, 'GET', `/v1/tenants/${b.slug}`, undefined, { cookie: cookie2 });
          return res.body?.tenant?.status === 'active' && res.body;
        },
        { what: `${b.slug} to become active` },
      );
      for (const step of finished.steps as { step: string; attempts: number }[]) assert.equal(step.attempts, 1, `${b.slug} ${step.step}: ${JSON.stringify(finished.steps)}`);
      assert.deepEqual((finished.audit as { outcome: string }[]).filter((e) => e.outcome === 'failed'), []);
    }
    await stop();
  });
});

function processGroupOf(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [, , pgrp, session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(pgrp), session: Number(session) };
}

function processesUsing(dataDir: string, apiPort: number): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  // The platform's children are found by the launcher's API port in their environment.
  const children = execFileSync('sh', ['-c', `grep -l "API_PORT=${apiPort}" /proc/[0-9]*/environ 2>/dev/null || true`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((file) => file.split('/')[2]);
  return ps.split('\n').filter((line) => line.includes(dataDir) || children.includes(line.trim().split(' ')[0]));
}
