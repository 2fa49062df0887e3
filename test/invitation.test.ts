import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { gatewayRequest, type GatewayResponse } from './support/http';
import { readTenantCredentials } from '../activities/tenant-database';
import { composeInvitationEmail } from '../activities/provisioning/invitation-email';
import { hashInvitationToken } from '../db/tenant/seed';
import { verifyPassword } from '../api/auth/secrets';
import { escapeHtml } from '../gateway/pages';

/** The outbox email of a tenant, split into unfolded headers (names lower-cased) and the raw body. */
function readInvitationEmail(platform: TestPlatform, tenantId: string) {
  const raw = readFileSync(path.join(platform.context.mailOutboxDir, `${tenantId}-admin-invitation.eml`));
  const text = raw.toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  assert.ok(split > 0, 'a blank line ends the headers');
  const headerBlock = text.slice(0, split);
  const headers = new Map<string, string>();
  for (const line of headerBlock.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    assert.ok(colon > 0, `header line ${JSON.stringify(line)}`);
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { raw, text, headerBlock, headers, body: text.slice(split + 4) };
}

/** RFC 2047 B-encoded UTF-8 words back to text; the space between two encoded words is not part of the text. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=/gi, (_m, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('accepting the admin invitation through the gateway', function () {
  let platform: TestPlatform;
  let tenant: { id: string; slug: string };
  let tenantDb: postgres.Sql;
  let token: string;
  const tenantName = 'Café <Tōkyō> & "Ünïcode" 東京 Support';
  const adminEmail = () => `owner@${tenant.slug}.example.com`;
  const host = () => `${tenant.slug}.localhost`;
  const gateway = (method: string, p: string, opts: { headers?: Record<string, string>; body?: string } = {}) =>
    gatewayRequest(platform.gatewayPort, host(), method, p, opts);
  const post = (p: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    gateway('POST', p, { body: form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  const adminRow = async () => {
    const [row] = await tenantDb`
      SELECT u.status, u.password_hash, i.accepted_at FROM users u JOIN invitations i ON i.user_id = u.id WHERE u.email = ${adminEmail()}`;
    assert.ok(row);
    return row;
  };
  /** Another invited user with a token of our own making, for the cases the admin's one-time link cannot cover twice. */
  const invite = async (email: string, expiresIn = '7 days') => {
    const t = randomBytes(32).toString('base64url');
    const [user] = await tenantDb`INSERT INTO users (email, status) VALUES (${email}, 'invited') RETURNING id`;
    await tenantDb`INSERT INTO invitations (user_id, token_hash, expires_at)
      VALUES (${user!.id}, ${hashInvitationToken(t)}, now() + ${expiresIn}::interval)`;
    return t;
  };

  before(async function () {
    platform = await startTestPlatform();
    tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('invite')), name: tenantName });
    await waitForStatus(platform, tenant.id, 'active');
    const credentials = (await readTenantCredentials(platform.context, tenant.id))!;
    tenantDb = postgres(credentials.url, { max: 2, onnotice: () => {} });
    const link = /^http:\/\/[^/\s]+\/invitations\/([A-Za-z0-9_-]+)$/m.exec(readInvitationEmail(platform, tenant.id).body);
    assert.ok(link, 'the email has a link');
    token = link[1]!;
  });

  after(async function () {
    await tenantDb?.end();
    await platform?.stop();
  });

  it('writes an RFC 5322 email whose link names the gateway port', function () {
    const mail = readInvitationEmail(platform, tenant.id);
    assert.ok(!/[^\r]\n|\r(?!\n)/.test(mail.text), 'every line ends in CRLF');
    for (const line of mail.headerBlock.split('\r\n')) {
      assert.match(line, /^[\x20-\x7e\t]*$/, 'headers are ASCII');
      assert.ok(line.length <= 78, `header line within 78 columns: ${line}`);
    }
    for (const line of mail.body.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 998, 'body lines within 998 octets');

    const h = mail.headers;
    assert.match(h.get('date') ?? '', /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/);
    assert.ok(Math.abs(Date.parse(h.get('date')!) - Date.now()) < 10 * 60_000, 'dated now');
    assert.equal(h.get('message-id'), `<admin-invitation.${tenant.id}@localhost>`);
    assert.equal(h.get('mime-version'), '1.0');
    assert.match(h.get('content-type') ?? '', /^text\/plain; charset=utf-8$/i);
    assert.match(h.get('content-transfer-encoding') ?? '', /^(8bit|quoted-printable)$/i);
    assert.equal(h.get('to'), adminEmail());
    assert.equal(h.get('from'), 'ActionConnect <no-reply@localhost>');
    const subject = h.get('subject') ?? '';
    assert.match(subject, /^=\?UTF-8\?B\?/, 'a non-ASCII subject is RFC 2047-encoded');
    assert.equal(decodeEncodedWords(subject), `Your ActionConnect organization ${tenantName} is ready`);

    assert.ok(mail.body.includes(tenantName), 'the body names the organization in UTF-8');
    assert.match(mail.body, new RegExp(`^http://${tenant.slug}\\.localhost:${platform.gatewayPort}/invitations/[A-Za-z0-9_-]{43}$`, 'm'));
  });

  it('folds a long ASCII subject and leaves it unencoded', function () {
    const name = 'Acme Support and a name long enough to go past the seventy-eight columns of a header line';
    const mail = composeInvitationEmail({
      to: 'a@b.example', from: 'ActionConnect <no-reply@localhost>', tenantName: name,
      link: 'http://acme.localhost/invitations/x', messageId: 'm@localhost', validForDays: 7, date: new Date(0),
    });
    const headers = mail.slice(0, mail.indexOf('\r\n\r\n'));
    assert.match(headers, /^Date: Thu, 01 Jan 1970 00:00:00 \+0000\r\n/);
    for (const line of headers.split('\r\n')) assert.ok(line.length <= 78, line);
    assert.match(headers.replace(/\r\n /g, ' '), new RegExp(`^Subject: Your ActionConnect organization ${name} is ready$`, 'm'));
  });

  it('records the route with the gateway port in its url, as the API shows the tenant', async function () {
    const res = await platform.api('GET', `/v1/tenants/${tenant.id}`);
    const route = res.body.resources.find((r: { kind: string }) => r.kind === 'route');
    assert.equal(route.details.url, `http://${tenant.slug}.localhost:${platform.gatewayPort}`);
    assert.equal(res.body.url, `${route.details.url}/`);
  });

  it('shows "Join <org> as <email>" with a password form on the link\'s page, everything escaped', async function () {
    const res = await gateway('GET', `/invitations/${token}`);
    assert.equal(res.status, 200);
    assert.ok(res.body.includes(`Join ${escapeHtml(tenantName)} as ${adminEmail()}`), res.body);
    assert.ok(!res.body.includes('<Tōkyō>'), 'the name is HTML-escaped');
    assert.match(res.body, /<form method="post"/);
    assert.match(res.body, /type="password" name="password"[^>]*minlength="12"/);
    assert.match(res.body, /type="password" name="confirm"/);
    assert.ok(!res.body.includes(token), 'the token is not repeated in the page');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(String(res.headers['content-security-policy']), /form-action 'self'/);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  it('refuses a short or mismatched password with a clear message and changes nothing', async function () {
    const origin = { origin: `http://${host()}:${platform.gatewayPort}` };
    const short = await post(`/invitations/${token}`, { password: 'short-one', confirm: 'short-one' }, origin);
    assert.equal(short.status, 422);
    assert.match(short.body, /at least 12 characters/);
    assert.match(short.body, /Join .* as /, 'the form is shown again');
    const mismatch = await post(`/invitations/${token}`, { password: 'a long enough password', confirm: 'a different password!' }, origin);
    assert.equal(mismatch.status, 422);
    assert.match(mismatch.body, /do not match/);
    assert.deepEqual({ ...(await adminRow()) }, { status: 'invited', password_hash: null, accepted_at: null });
  });

  it('refuses a post from another origin, a body over 8 KB, and a body that is not a form', async function () {
    const good = { password: 'correct horse battery staple', confirm: 'correct horse battery staple' };
    const otherTenant = await post(`/invitations/${token}`, good, { origin: `http://elsewhere.localhost:${platform.gatewayPort}` });
    assert.equal(otherTenant.status, 403);
    const opaque = await post(`/invitations/${token}`, good, { origin: 'null' });
    assert.equal(opaque.status, 403);
    const crossSite = await post(`/invitations/${token}`, good, { 'sec-fetch-site': 'cross-site' });
    assert.equal(crossSite.status, 403);
    const big = await post(`/invitations/${token}`, { ...good, padding: 'x'.repeat(9000) });
    assert.equal(big.status, 413);
    const json = await gateway('POST', `/invitations/${token}`, { body: JSON.stringify(good), headers: { 'content-type': 'application/json' } });
    assert.equal(json.status, 415);
    assert.deepEqual({ ...(await adminRow()) }, { status: 'invited', password_hash: null, accepted_at: null });
  });

  it('activates the admin with a good password, then answers 410 to the link', async function () {
    const password = 'correct horse battery staple';
    const res = await post(`/invitations/${token}`, { password, confirm: password }, { origin: `http://${host()}:${platform.gatewayPort}` });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/invitations/${token}/accepted`);
    const done = await gateway('GET', res.headers.location!);
    assert.equal(done.status, 200);
    assert.match(done.body, /You(&#39;|')re all set/);
    assert.ok(done.body.includes(adminEmail()));

    const row = await adminRow();
    assert.equal(row.status, 'active');
    assert.match(String(row.password_hash), /^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    assert.ok(await verifyPassword(password, String(row.password_hash)));
    assert.ok(row.accepted_at instanceof Date);

    const again = await post(`/invitations/${token}`, { password: 'another good password', confirm: 'another good password' });
    assert.equal(again.status, 410);
    assert.match(again.body, /already been accepted/);
    const page = await gateway('GET', `/invitations/${token}`);
    assert.equal(page.status, 410);
    assert.ok(await verifyPassword(password, String((await adminRow()).password_hash)), 'the password is unchanged');
  });

  it('lets exactly one of two simultaneous submits through', async function () {
    const t = await invite(`twice@${tenant.slug}.example.com`);
    const fields = { password: 'twelve chars or more', confirm: 'twelve chars or more' };
    const answers: GatewayResponse[] = await Promise.all([post(`/invitations/${t}`, fields), post(`/invitations/${t}`, fields)]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [303, 410]);
  });

  it('answers 410 for an expired invitation and 404 for an unknown token', async function () {
    const expired = await invite(`late@${tenant.slug}.example.com`, '-1 day');
    const page = await gateway('GET', `/invitations/${expired}`);
    assert.equal(page.status, 410);
    assert.match(page.body, /expired/);
    const submit = await post(`/invitations/${expired}`, { password: 'twelve chars or more', confirm: 'twelve chars or more' });
    assert.equal(submit.status, 410);

    const unknown = await gateway('GET', `/invitations/${randomBytes(32).toString('base64url')}`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /not valid/);
    const unknownPost = await post(`/invitations/${randomBytes(32).toString('base64url')}`, { password: 'twelve chars or more', confirm: 'twelve chars or more' });
    assert.equal(unknownPost.status, 404);
  });

  it('answers 404 for any other path, and still serves the home', async function () {
    for (const p of ['/nope', '/invitations', '/invitations/', `/invitations/${token}/extra`, '/invitations/short', '//invitations/x', '/index.html']) {
      const res = await gateway('GET', p);
      assert.equal(res.status, 404, p);
    }
    assert.equal((await gateway('GET', '/')).status, 200);
    assert.equal((await gateway('GET', '/?utm_source=mail')).status, 200);
    assert.equal((await gateway('POST', '/')).status, 405);
  });

  it("answers 403 on a suspended tenant's invitation page", async function () {
    const other = await createTenant(platform);
    await waitForStatus(platform, other.id, 'active');
    const link = /^http:\/\/[^/\s]+(\/invitations\/[A-Za-z0-9_-]+)$/m.exec(readInvitationEmail(platform, other.id).body)![1]!;
    const otherHost = `${other.slug}.localhost`;
    assert.equal((await gatewayRequest(platform.gatewayPort, otherHost, 'GET', link)).status, 200);
    assert.equal((await platform.api('POST', `/v1/tenants/${other.id}/suspend`, { reason: 'invitation test' })).status, 200);
    const suspended = await gatewayRequest(platform.gatewayPort, otherHost, 'GET', link);
    assert.equal(suspended.status, 403);
    assert.match(suspended.body, /suspended/);
    const submit = await gatewayRequest(platform.gatewayPort, otherHost, 'POST', link, {
      body: form({ password: 'twelve chars or more', confirm: 'twelve chars or more' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(submit.status, 403);
  });
});
