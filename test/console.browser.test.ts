import assert from 'node:assert/strict';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from './support/platform';
import { collectPageErrors, launchChromium, signIn } from './support/browser';
import { createTenant, newTenantBody, uniqueSlug, waitForStatus } from './support/tenants';
import { createStaffAccount } from '../api/auth/credential-store';
import { mintTenantId } from '../api/tenant-id';

const LIVE = { timeout: 60_000 };
// The committed screenshots change only when asked for (UPDATE_SCREENSHOTS=1), so an
// ordinary test run leaves the work tree clean; otherwise they go to the run's scratch folder.
const DOCS = process.env.UPDATE_SCREENSHOTS ? path.resolve(__dirname, '..', 'docs') : path.resolve('.data', 'test-run', 'screenshots');

describe('the staff console in a real browser', function () {
  this.slow(20_000);
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  const admin = { email: 'admin@console.test', password: 'admin-password-for-the-console-test' };
  const viewer = { email: 'viewer@console.test', password: 'viewer-password-for-the-console-test' };

  const url = (p: string) => `${platform.apiUrl}${p}`;
  const badgeIn = (scope: string, status: string) => `${scope} [data-testid=status-badge][data-status="${status}"]`;
  const row = (slug: string) => `[data-testid=tenant-table] tr[data-slug="${slug}"]`;
  /** The view's rows, as the user sees them. */
  const listedSlugs = () => page.$$eval('[data-testid=tenant-table] tbody tr[data-slug]', (rows) => rows.map((r) => (r as HTMLElement).dataset.slug!));
  /** Waits until the list shows exactly these tenants (a filter's old rows stay until its answer arrives). */
  const waitForListed = async (slugs: string[]) => {
    const expected = [...slugs].sort();
    await page.waitForFunction(
      (want) => JSON.stringify(Array.from(document.querySelectorAll<HTMLElement>('[data-testid=tenant-table] tbody tr[data-slug]'), (r) => r.dataset.slug).sort()) === JSON.stringify(want),
      expected,
    );
    assert.deepEqual((await listedSlugs()).sort(), expected);
  };
  /** Marks the loaded page: if it ever reloads, the mark is gone. */
  const markPage = () => page.evaluate(() => Object.assign(window, { consoleTestMark: 'not reloaded' }));
  const assertNotReloaded = async () => assert.equal(await page.evaluate(() => (window as unknown as { consoleTestMark?: string }).consoleTestMark), 'not reloaded');
  const openDetail = async (tenantId: string) => {
    await page.goto(url(`/tenants/${tenantId}`));
    await page.waitForSelector('[data-testid=history]');
  };

  before(async function () {
    platform = await startTestPlatform();
    await createStaffAccount(platform.sql, admin.email, 'admin', admin.password);
    await createStaffAccount(platform.sql, viewer.email, 'viewer', viewer.password);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
    // The other tests start signed in (through the API the form uses), so each can run on its own.
    const signedIn = await context.request.post(url('/v1/session'), { data: admin });
    assert.equal(signedIn.status(), 200);
    page = await context.newPage();
    pageErrors = collectPageErrors(page);
  });

  after(async function () {
    await browser?.close();
    await platform?.stop();
  });

  afterEach(function () {
    assert.deepEqual(pageErrors.splice(0), [], 'no script errors in the page');
  });

  it('sends an anonymous visitor to the sign-in page, refuses a wrong password, then signs in', async function () {
    const anonymous = await browser.newContext();
    try {
      const p = await anonymous.newPage();
      const errors = collectPageErrors(p);
      await p.goto(url('/?status=active'));
      assert.equal(new URL(p.url()).pathname, '/login');
      assert.equal(new URL(p.url()).searchParams.get('next'), '/?status=active');

      await signIn(p, admin.email, 'not-the-password');
      await p.waitForSelector('#login-problem:not([hidden])');
      assert.match((await p.textContent('#login-problem')) ?? '', /wrong email or password/i);
      assert.equal(new URL(p.url()).pathname, '/login');

      await signIn(p, admin.email, admin.password);
      await p.waitForURL((u) => u.pathname === '/');
      await p.waitForSelector('[data-testid=tenant-table]');
      assert.equal(new URL(p.url()).searchParams.get('status'), 'active', 'back where the visitor was going');
      assert.equal(await p.textContent('#session-role'), 'admin');
      const cookie = (await anonymous.cookies()).find((c) => c.name === 'acp_session');
      assert.ok(cookie?.httpOnly, 'the session cookie is HttpOnly');
      assert.equal(cookie?.sameSite, 'Strict');
      assert.deepEqual(errors, []);
    } finally {
      await anonymous.close();
    }
  });

  it('creates a tenant from the dialog, shows the API\'s field errors, and shows it become active without a reload', async function () {
    await page.goto(url('/'));
    await page.waitForSelector('[data-testid=tenant-table]');
    await markPage();
    await page.click('[data-testid=create-tenant]');
    await page.waitForSelector('[data-testid=create-dialog][open]');
    await page.fill('#field-name', 'Northwind Traders');
    assert.equal(await page.inputValue('#field-slug'), 'northwind-traders', 'the slug follows the name');

    // The API's 400 names the field; the dialog shows its reason next to that field.
    await page.fill('#field-slug', 'admin');
    await page.fill('#field-adminEmail', 'owner@northwind.example.com');
    await page.click('[data-testid=create-dialog] button[type=submit]');
    await page.waitForSelector('#field-slug-error:text("is reserved")');
    assert.equal(await page.getAttribute('#field-slug', 'aria-invalid'), 'true');
    assert.match((await page.textContent('[data-testid=form-problem]')) ?? '', /Invalid request/);

    const slug = uniqueSlug('northwind');
    await page.fill('#field-slug', slug);
    await page.selectOption('#field-plan', 'business');
    await page.click('[data-testid=create-dialog] button[type=submit]');
    await page.waitForURL((u) => u.pathname.startsWith('/tenants/'));
    await page.waitForSelector('.toast:has-text("created")');
    await page.waitForSelector(badgeIn('h1', 'active'), LIVE);
    await assertNotReloaded();

    const tenantId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    const res = await platform.api('GET', `/v1/tenants/${tenantId}`);
    assert.equal(res.body.tenant.slug, slug);
    assert.equal(res.body.tenant.plan, 'business');
    assert.equal(res.body.tenant.createdBy, `staff:${admin.email}`);
    // The detail shows what was provisioned, the whole history, and the Temporal link.
    await page.waitForSelector('[data-testid=history] tr[data-step="activate"][data-step-status="completed"]');
    assert.equal(await page.$$eval('[data-testid=resources] tbody tr', (rows) => rows.length), 5);
    assert.match((await page.getAttribute('[data-testid=workflow-link]', 'href')) ?? '', new RegExp(`/workflows/tenant-${tenantId}$`));
    await page.waitForSelector('[data-testid=audit] tr[data-action="tenant.activated"]');
    assert.match((await page.textContent('[data-testid=usage]')) ?? '', /Database\s*[\d.]+ [KM]B/);
  });

  it('searches by name or slug and filters by status and plan, keeping them in the URL across a reload', async function () {
    const tag = uniqueSlug('filter');
    const team = await createTenant(platform, { ...newTenantBody(`${tag}-team`), name: `Blue Harbor ${tag}`, plan: 'team' });
    const free = await createTenant(platform, { ...newTenantBody(`${tag}-free`), name: `Red Canyon ${tag}`, plan: 'free' });
    await Promise.all([waitForStatus(platform, team.id, 'active'), waitForStatus(platform, free.id, 'active')]);
    assert.equal((await platform.api('POST', `/v1/tenants/${free.id}/suspend`, { reason: 'billing dispute' })).status, 200);

    await page.goto(url('/'));
    await page.waitForSelector('[data-testid=tenant-table]');
    await page.fill('[data-testid=search]', tag);
    await page.waitForFunction((t) => new URL(location.href).searchParams.get('q') === t, tag);
    await waitForListed([free.slug, team.slug]);

    await page.fill('[data-testid=search]', `blue harbor ${tag}`);
    await waitForListed([team.slug]); // by name, case-insensitively

    await page.fill('[data-testid=search]', tag);
    await waitForListed([free.slug, team.slug]);
    await page.selectOption('[data-testid=status-filter]', 'suspended');
    await waitForListed([free.slug]);
    assert.equal(await page.getAttribute(`${row(free.slug)} [data-testid=status-badge]`, 'data-status'), 'suspended');

    await page.selectOption('[data-testid=status-filter]', '');
    await page.selectOption('[data-testid=plan-filter]', 'team');
    await waitForListed([team.slug]);

    const params = new URL(page.url()).searchParams;
    assert.deepEqual([params.get('q'), params.get('plan'), params.get('status')], [tag, 'team', null]);
    await page.reload();
    await waitForListed([team.slug]);
    await page.waitForSelector('[data-testid=plan-filter] option[value=team]', { state: 'attached' });
    assert.equal(await page.inputValue('[data-testid=search]'), tag);
    assert.equal(await page.inputValue('[data-testid=plan-filter]'), 'team');

    await page.selectOption('[data-testid=plan-filter]', 'enterprise');
    await page.waitForSelector('[data-testid=tenant-table] td.empty:has-text("No tenant matches")');
  });

  it('pages with Next and Previous through the API\'s cursors, and a reload keeps the page', async function () {
    // Rows only (deleted tenants need no resources), enough for two pages of 25.
    const tag = uniqueSlug('paging');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = mintTenantId(Date.now() - i * 1000);
      ids.push(id);
      await platform.sql`
        INSERT INTO tenants (id, name, slug, plan, admin_email, created_by, status, created_at, deleted_at)
        VALUES (${id}, ${`Paging ${tag} ${String(i).padStart(2, '0')}`}, ${`${tag}-${i}`}, 'free', 'x@example.com', 'test', 'deleted',
                now() - make_interval(secs => ${i}), now())`;
    }
    try {
      await page.goto(url(`/?q=${tag}`));
      await page.waitForSelector(row(`${tag}-0`));
      assert.equal((await listedSlugs()).length, 25);
      assert.ok(await page.isDisabled('[data-testid=previous-page]'));
      await page.click('[data-testid=next-page]');
      await page.waitForSelector(row(`${tag}-25`));
      assert.deepEqual(await listedSlugs(), [25, 26, 27, 28, 29].map((i) => `${tag}-${i}`));
      assert.ok(await page.isDisabled('[data-testid=next-page]'));
      assert.ok(new URL(page.url()).searchParams.get('cursor'));
      assert.match((await page.textContent('.table-footer')) ?? '', /Showing 26–30/);

      await page.reload();
      await page.waitForSelector(row(`${tag}-25`));
      await page.click('[data-testid=previous-page]');
      await page.waitForSelector(row(`${tag}-0`));
      assert.equal((await listedSlugs()).length, 25);
      assert.equal(new URL(page.url()).searchParams.get('cursor'), null);
    } finally {
      await platform.sql`DELETE FROM tenants WHERE id IN ${platform.sql(ids)}`;
    }
  });

  it('shows a tenant whose registry lost a resource as needing attention', async function () {
    const tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('drift')), name: 'Drift Labs' });
    await waitForStatus(platform, tenant.id, 'active');
    await platform.sql`UPDATE tenant_resources SET state = 'removed', removed_at = now() WHERE tenant_id = ${tenant.id} AND kind = 'storage'`;
    await page.goto(url(`/?q=${tenant.slug}`));
    await page.waitForSelector(`${row(tenant.slug)} [data-health="attention"]`);
    assert.match((await page.textContent(`${row(tenant.slug)} .health`)) ?? '', /missing storage/);
    await platform.sql`UPDATE tenant_resources SET state = 'present', removed_at = NULL WHERE tenant_id = ${tenant.id} AND kind = 'storage'`;
  });

  it('suspends with a reason, then resumes, showing each new status as it happens', async function () {
    const tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('globex')), name: 'Globex Corporation', plan: 'enterprise' });
    await waitForStatus(platform, tenant.id, 'active');
    await openDetail(tenant.id);
    await markPage();

    await page.click('button[data-action=suspend]');
    await page.waitForSelector('[data-testid=suspend-dialog][open]');
    assert.ok(await page.isDisabled('[data-testid=suspend-dialog] button[type=submit]'), 'a reason is required');
    await page.fill('#field-reason', 'Billing dispute, ticket 4711');
    await page.click('[data-testid=suspend-dialog] button[type=submit]');
    await page.waitForSelector(badgeIn('h1', 'suspended'));
    await page.waitForSelector('.toast:has-text("suspended")');
    await page.waitForSelector('.banner:has-text("Billing dispute, ticket 4711")');
    await page.waitForSelector('[data-testid=audit] tr[data-action="tenant.suspended"]');
    assert.equal(await page.$('button[data-action=suspend]'), null);

    await page.click('button[data-action=resume]');
    await page.waitForSelector('[data-testid=resume-dialog][open]');
    await page.click('[data-testid=resume-dialog] button[type=submit]');
    await page.waitForSelector(badgeIn('h1', 'active'));
    await page.waitForSelector('[data-testid=audit] tr[data-action="tenant.resumed"]');
    await assertNotReloaded();

    const actors = await platform.sql`SELECT action, actor FROM audit_events WHERE tenant_id = ${tenant.id} AND action IN ('tenant.suspended', 'tenant.resumed') ORDER BY id`;
    assert.deepEqual(actors.map((a) => [a.action, a.actor]), [
      ['tenant.suspended', `staff:${admin.email}`],
      ['tenant.resumed', `staff:${admin.email}`],
    ]);
  });

  it('retries a failed tenant and shows it become active', async function () {
    const slug = uniqueSlug('initech');
    platform.faults.fail('seed', { slug, times: 100 });
    const tenant = await createTenant(platform, { ...newTenantBody(slug), name: 'Initech' });
    await openDetail(tenant.id);
    await markPage();
    await page.waitForSelector(badgeIn('h1', 'failed'), LIVE);
    await page.waitForSelector('[data-testid=history] tr.row-failed[data-step="seed"]');
    assert.match((await page.textContent('[data-testid=history] tr.row-failed')) ?? '', /injected fault in step seed/);
    assert.match((await page.textContent('[data-testid=attention]')) ?? '', /step seed failed/);
    platform.faults.clear();

    await page.click('button[data-action=retry]');
    await page.waitForSelector('[data-testid=retry-dialog][open]');
    await page.click('[data-testid=retry-dialog] button[type=submit]');
    await page.waitForSelector(badgeIn('h1', 'active'), LIVE);
    await page.waitForSelector('[data-testid=history] tr[data-step="seed"][data-step-status="completed"]');
    await assertNotReloaded();
    const [retry] = await platform.sql`SELECT actor FROM audit_events WHERE tenant_id = ${tenant.id} AND action = 'tenant.retry_requested'`;
    assert.equal(retry?.actor, `staff:${admin.email}`);
  });

  it('de-provisions only once the slug is typed back, and shows the tenant deleted', async function () {
    const tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('umbrella')), name: 'Umbrella Health' });
    await waitForStatus(platform, tenant.id, 'active');
    await openDetail(tenant.id);
    await markPage();

    await page.click('button[data-action=deprovision]');
    await page.waitForSelector('[data-testid=deprovision-dialog][open]');
    const confirm = '[data-testid=deprovision-dialog] button[type=submit]';
    assert.ok(await page.isDisabled(confirm));
    await page.fill('#field-confirmSlug', `${tenant.slug}x`);
    assert.ok(await page.isDisabled(confirm), 'a wrong slug is refused');
    await page.press('#field-confirmSlug', 'Enter');
    assert.equal((await platform.api('GET', `/v1/tenants/${tenant.id}`)).body.tenant.status, 'active', 'Enter does not get past the check');
    await page.fill('#field-confirmSlug', tenant.slug);
    assert.ok(await page.isEnabled(confirm));
    await page.fill('#field-reason', 'Customer offboarded');
    await page.click(confirm);
    // The teardown can finish before the page's next look, so `deprovisioning` may flash by.
    await page.waitForSelector(badgeIn('h1', 'deleted'), LIVE);
    await page.waitForSelector('[data-testid=history] [data-pipeline="deprovision"] tr[data-step="markDeleted"][data-step-status="completed"]');
    assert.equal(await page.$('button[data-action]'), null, 'nothing more to do with a deleted tenant');
    await assertNotReloaded();
    const resources = await platform.sql`SELECT state FROM tenant_resources WHERE tenant_id = ${tenant.id}`;
    assert.ok(resources.every((r) => r.state === 'removed'));
  });

  it('pages a long audit trail with Load more', async function () {
    const tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('wayne')), name: 'Wayne Enterprises' });
    await waitForStatus(platform, tenant.id, 'active');
    await platform.sql`
      INSERT INTO audit_events (tenant_id, actor, action, outcome, details)
      SELECT ${tenant.id}, 'staff:someone@console.test', 'note.added', 'succeeded', jsonb_build_object('n', n) FROM generate_series(1, 150) n`;
    const [{ total }] = (await platform.sql`SELECT count(*)::int AS total FROM audit_events WHERE tenant_id = ${tenant.id}`) as unknown as [{ total: number }];
    await openDetail(tenant.id);
    const auditRows = () => page.$$eval('[data-testid=audit] tbody tr', (rows) => rows.length);
    await page.waitForSelector('[data-testid=audit] button:has-text("Load more")');
    assert.equal(await auditRows(), 100);
    await page.click('[data-testid=audit] button:has-text("Load more")');
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=audit] tbody tr').length === n, total);
    assert.equal(await page.$('[data-testid=audit] button:has-text("Load more")'), null);
  });

  it('shows a viewer no action buttons', async function () {
    const tenant = await createTenant(platform, { ...newTenantBody(uniqueSlug('hooli')), name: 'Hooli' });
    await waitForStatus(platform, tenant.id, 'active');
    const viewerContext = await browser.newContext();
    try {
      const viewerPage = await viewerContext.newPage();
      const errors = collectPageErrors(viewerPage);
      await viewerPage.goto(url(`/tenants/${tenant.id}`));
      await signIn(viewerPage, viewer.email, viewer.password);
      await viewerPage.waitForSelector(badgeIn('h1', 'active'));
      assert.equal(await viewerPage.textContent('#session-role'), 'viewer');
      assert.equal(await viewerPage.$('button[data-action]'), null);
      await viewerPage.goto(url('/'));
      await viewerPage.waitForSelector(row(tenant.slug));
      assert.equal(await viewerPage.$('[data-testid=create-tenant]'), null);
      assert.deepEqual(errors, []);
    } finally {
      await viewerContext.close();
    }
  });

  it('signs out, after which the console asks for a sign-in again', async function () {
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      await p.goto(url('/'));
      await signIn(p, admin.email, admin.password);
      await p.waitForSelector('[data-testid=tenant-table]');
      await p.click('#sign-out');
      await p.waitForURL((u) => u.pathname === '/login');
      await p.goto(url('/'));
      assert.equal(new URL(p.url()).pathname, '/login');
    } finally {
      await other.close();
    }
  });

  it('takes screenshots of the list and of a failed tenant\'s detail page', async function () {
    // A failed tenant: its detail shows the failed step, the error and the Retry action.
    const slug = uniqueSlug('stark');
    platform.faults.fail('routing', { slug, times: 100 });
    const failed = await createTenant(platform, { ...newTenantBody(slug), name: 'Stark Industries', plan: 'enterprise' });
    await waitForStatus(platform, failed.id, 'failed');
    platform.faults.clear();
    await createTenant(platform, { ...newTenantBody(uniqueSlug('piedpiper')), name: 'Pied Piper', plan: 'free' });
    // Some variety for the list: a suspended tenant next to the active, failed, deleted and provisioning ones.
    const [globex] = await platform.sql`SELECT id FROM tenants WHERE name = 'Globex Corporation' AND status = 'active'`;
    if (globex) await platform.api('POST', `/v1/tenants/${globex.id}/suspend`, { reason: 'Billing dispute' });

    mkdirSync(DOCS, { recursive: true });
    await page.goto(url('/'));
    await page.waitForSelector('[data-testid=tenant-table] tbody tr[data-slug]');
    await page.locator('[data-testid=search]').blur();
    await page.screenshot({ path: path.join(DOCS, 'console-list.png') });
    await openDetail(failed.id);
    await page.waitForSelector('[data-testid=audit] tr[data-action="step.failed"]');
    // Down to the provisioning history, which is what a failed tenant's page is for.
    await page.screenshot({ path: path.join(DOCS, 'console-detail.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 1480 } });
    for (const file of ['console-list.png', 'console-detail.png']) {
      assert.ok(statSync(path.join(DOCS, file)).size < 300_000, `${file} stays small`);
    }
  });
});
