import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { withDatabase } from '../db/registry/connect';
import { REGISTRY_DATABASE } from '../launcher/registry-access';
import { TEST_PG_DATA_DIR, TEST_RUN_DIR, testEnvironment } from './support/environment';
import { request } from './support/http';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { freePorts } from './support/ports';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run staff -- <args>` as a child process, as staff run it. */
function staff(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'launcher/staff.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The staff CLI against a real registry: what it prints works against the API (a password
 * signs in, a token authenticates), and what it revokes or disables stops working at once.
 */
describe('the staff CLI (npm run staff)', function () {
  this.timeout(60_000);
  let platform: TestPlatform;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => staff(args, env);

  before(async function () {
    platform = await startTestPlatform();
    env = { DATABASE_URL: platform.registryUrl, DATA_DIR: path.join(TEST_RUN_DIR, 'scratch', `staff-cli-${platform.id}`) };
  });

  after(async function () {
    await platform?.stop();
  });

  it('prints its usage for --help and -h and exits 0; a wrong command line gets the usage and exit 2', async function () {
    for (const flag of ['--help', '-h']) {
      const help = await cli(flag);
      assert.equal(help.code, 0, help.stderr);
      for (const command of ['add-staff', 'add-token', 'revoke-token', 'disable-staff', 'list']) assert.match(help.stdout, new RegExp(command));
    }
    const wrongLines = [['--frobnicate'], ['list', '--verbose'], [], ['frob'], ['add-staff', 'a@example.com'], ['add-token', 'x', '--role', 'root'], ['revoke-token']];
    const results = await Promise.all(wrongLines.map((args) => cli(...args)));
    results.forEach((wrong, i) => {
      const args = wrongLines[i]!.join(' ');
      assert.equal(wrong.code, 2, `${args}: ${wrong.stdout}${wrong.stderr}`);
      assert.match(wrong.stderr, /Usage: npm run staff/, args);
    });
  });

  it('add-staff prints a password that signs in to the console with that role', async function () {
    const email = `alice-${platform.id}@actionconnect.example`;
    const added = await cli('add-staff', email, '--role', 'operator');
    assert.equal(added.code, 0, added.stderr);
    const password = /password: (\S+)/.exec(added.stdout)?.[1];
    assert.ok(password, added.stdout);
    const session = await request(platform.apiUrl, 'POST', '/v1/session', { email, password });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    assert.equal(session.body.role, 'operator');
    assert.equal((await request(platform.apiUrl, 'POST', '/v1/session', { email, password: `${password}x` })).status, 401);
  });

  it('add-token prints a token that authenticates; revoke-token makes it get 401, and list shows it revoked', async function () {
    const name = `laptop-${platform.id}`;
    const added = await cli('add-token', name, '--role', 'viewer');
    assert.equal(added.code, 0, added.stderr);
    const token = /Authorization: Bearer (\S+)/.exec(added.stdout)?.[1];
    assert.ok(token, added.stdout);
    const asToken = () => request(platform.apiUrl, 'GET', '/v1/plans', undefined, { authorization: `Bearer ${token}` });
    assert.equal((await asToken()).status, 200);

    const revoked = await cli('revoke-token', name);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`API token ${name} revoked`));
    assert.equal((await asToken()).status, 401);
    assert.match((await cli('revoke-token', name)).stdout, /already revoked/);

    const list = await cli('list');
    assert.equal(list.code, 0, list.stderr);
    const row = list.stdout.split('\n').find((l) => l.includes(name));
    assert.match(row ?? '', /viewer\s+\S+ \S+\s+\S+ \S+\s+\d{4}-\d\d-\d\d \S+Z$/, `created, last used and revoked:\n${list.stdout}`);
    assert.doesNotMatch(list.stdout, new RegExp(token!));

    const unknown = await cli('revoke-token', `no-such-token-${platform.id}`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No API token is named/);
  });

  it('disable-staff makes sign-in fail and ends the sessions the account already has; list shows it disabled', async function () {
    const email = `bob-${platform.id}@actionconnect.example`;
    const password = /password: (\S+)/.exec((await cli('add-staff', email, '--role', 'admin')).stdout)?.[1];
    const signIn = () => request(platform.apiUrl, 'POST', '/v1/session', { email, password });
    const cookies: string[] = [];
    for (let i = 0; i < 2; i++) {
      const session = await signIn();
      assert.equal(session.status, 200);
      cookies.push(session.headers.get('set-cookie')!.split(';')[0]!);
    }
    for (const cookie of cookies) assert.equal((await request(platform.apiUrl, 'GET', '/v1/plans', undefined, { cookie })).status, 200);

    const disabled = await cli('disable-staff', email.toUpperCase());
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /disabled .*; 2 sessions ended/);
    assert.equal((await signIn()).status, 401);
    for (const cookie of cookies) assert.equal((await request(platform.apiUrl, 'GET', '/v1/plans', undefined, { cookie })).status, 401);
    const [row] = await platform.sql`SELECT count(*)::int AS n FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id WHERE a.email = ${email}`;
    assert.equal(row!.n, 0, 'the sessions are deleted');

    const list = await cli('list');
    assert.match(list.stdout.split('\n').find((l) => l.includes(email)) ?? '', /admin\s+\S+ \S+\s+\d{4}-\d\d-\d\d \S+Z$/, list.stdout);

    const unknown = await cli('disable-staff', `nobody-${platform.id}@actionconnect.example`);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No console account/);
  });

  it('says clearly when it cannot reach the registry', async function () {
    const [closed] = await freePorts(1);
    const result = await staff(['list'], { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${closed}/registry` });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `Cannot reach the registry at 127.0.0.1:${closed}/registry (DATABASE_URL): the connection was refused (nothing listens there). Check DATABASE_URL and that its server is up.`,
    );
    assert.doesNotMatch(result.stderr, /secret/);
  });

  it("uses the port a running embedded cluster listens on (from its postmaster.pid), not EMBEDDED_PG_PORT", async function () {
    // A DATA_DIR whose embedded cluster is the run's own, owned by this (live) process: as
    // when `npm start` is running. EMBEDDED_PG_PORT points nowhere.
    const env2 = await testEnvironment();
    const dataDir = mkdtempSync(path.join(TEST_RUN_DIR, 'staff-cli-'));
    try {
      symlinkSync(TEST_PG_DATA_DIR, path.join(dataDir, 'postgres'));
      writeFileSync(path.join(dataDir, 'postgres.owner'), `${process.pid}\n`);
      const [closed] = await freePorts(1);
      const name = `embedded-${platform.id}`;
      const added = await staff(['add-token', name, '--role', 'viewer'], { DATABASE_URL: '', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(closed) });
      assert.equal(added.code, 0, added.stderr);
      const registry = postgres(withDatabase(env2.adminUrl, REGISTRY_DATABASE), { max: 1, onnotice: () => {} });
      try {
        const [row] = await registry`SELECT role FROM api_tokens WHERE name = ${name}`;
        assert.equal(row?.role, 'viewer', 'the token is in the running cluster');
      } finally {
        await registry.end();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
