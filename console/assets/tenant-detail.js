import { h, replaceChildren } from './dom.js';
import { api } from './api.js';
import { notify } from './toasts.js';
import { healthIndicator, isTransitional, statusBadge } from './badges.js';
import { formatBytes, formatDateTime, formatDuration, formatNumber, formatRelative, humanize } from './format.js';
import { actionsFor } from './tenant-actions.js';

/** Polled this often while work is under way (or just after an action), so the status moves on its own. */
const LIVE_REFRESH_MS = 1000;
const IDLE_REFRESH_MS = 15000;
/** How long after an action the page keeps polling fast, for the workflow to act on it. */
const AFTER_ACTION_MS = 15000;
const AUDIT_PAGE = 100;

const PIPELINE_TITLES = { provision: 'Provisioning', deprovision: 'De-provisioning' };

/**
 * One tenant: what it has, what it uses, how it got here, and what staff may do to it.
 * Refreshes itself; re-renders only when something changed, so reading is not disturbed.
 */
export function mountTenantDetail(root, { params }) {
  const idOrSlug = params.idOrSlug;
  let detail = null;
  let loadError = null;
  let audit = { items: [], more: false };
  let liveUntil = 0;
  let timer;
  let disposed = false;
  let rendered = '';
  /** Only the newest refresh may apply its answer and schedule the next, so an action never doubles the polling. */
  let generation = 0;

  /** The trail is read oldest first; reading on from its last event also picks up new ones. */
  const auditAfter = async (tenantId, items) => {
    const after = items.at(-1)?.id;
    const page = await api('GET', `/v1/tenants/${encodeURIComponent(tenantId)}/audit?limit=${AUDIT_PAGE}${after ? `&cursor=${after}` : ''}`);
    return { items: [...items, ...page.items], more: page.nextCursor !== null };
  };

  const refresh = async () => {
    const mine = ++generation;
    clearTimeout(timer);
    try {
      const next = await api('GET', `/v1/tenants/${encodeURIComponent(idOrSlug)}`);
      // While older events are still unread, Load more reads on; polling leaves the trail alone.
      const nextAudit = audit.more ? null : await auditAfter(next.tenant.id, audit.items);
      if (disposed || mine !== generation) return;
      detail = next;
      if (nextAudit) audit = nextAudit;
      loadError = null;
    } catch (err) {
      if (disposed || mine !== generation) return;
      loadError = err;
    }
    render();
    const live = detail && (isTransitional(detail.tenant.status) || Date.now() < liveUntil);
    timer = setTimeout(refresh, live ? LIVE_REFRESH_MS : IDLE_REFRESH_MS);
  };

  const loadMoreAudit = async () => {
    try {
      audit = await auditAfter(detail.tenant.id, audit.items);
      render();
    } catch (err) {
      notify(`Could not load more events: ${err.message}`, { kind: 'error' });
    }
  };

  const runAction = async (action) => {
    const result = await action.open(detail.tenant);
    if (!result) return;
    notify(action.done(result.tenant));
    liveUntil = Date.now() + AFTER_ACTION_MS;
    detail = { ...detail, tenant: result.tenant };
    render();
    void refresh();
  };

  const render = () => {
    if (!detail) {
      const [title, text] = !loadError
        ? ['Loading…', '']
        : loadError.status === 404
          ? ['No such tenant', `Nothing is registered as “${idOrSlug}”.`]
          : ['Could not load the tenant', loadError.message];
      replaceChildren(
        root,
        h('nav', { className: 'breadcrumb' }, h('a', { href: '/' }, 'Tenants')),
        h('div', { className: 'card empty-state' }, h('h1', {}, title), h('p', { className: 'subtle' }, text)),
      );
      return;
    }
    // Skip a render that would change nothing (the usage timestamp always moves).
    const fingerprint = JSON.stringify({ detail: { ...detail, usage: detail.usage && { ...detail.usage, measuredAt: null } }, audit, error: loadError?.message });
    if (fingerprint === rendered) return;
    rendered = fingerprint;
    const { tenant } = detail;
    replaceChildren(
      root,
      h('nav', { className: 'breadcrumb' }, h('a', { href: '/' }, 'Tenants'), h('span', { 'aria-hidden': 'true' }, '/'), h('span', {}, tenant.name)),
      header(tenant),
      loadError ? h('div', { className: 'banner banner-warning' }, `Showing the last known state: ${loadError.message}`) : null,
      banners(tenant),
      h('div', { className: 'grid-2' }, overview(tenant), planAndUsage()),
      resources(),
      history(tenant),
      auditTrail(),
    );
  };

  const header = (tenant) =>
    h(
      'div',
      { className: 'page-header' },
      h(
        'div',
        { className: 'title-block' },
        h('h1', { 'data-testid': 'tenant-name' }, tenant.name, ' ', statusBadge(tenant.status)),
        h('p', { className: 'subtle' }, h('span', { className: 'mono' }, tenant.slug), ' · ', h('span', { className: 'mono small' }, tenant.id)),
      ),
      h(
        'div',
        { className: 'page-actions' },
        tenant.status === 'active' || tenant.status === 'suspended' ? h('a', { className: 'button button-ghost', href: detail.url, target: '_blank', rel: 'noopener' }, 'Open tenant ↗') : null,
        detail.workflow.url
          ? h('a', { className: 'button button-ghost', href: detail.workflow.url, target: '_blank', rel: 'noopener', 'data-testid': 'workflow-link', title: `Workflow ${detail.workflow.id}` }, 'Temporal workflow ↗')
          : null,
        actionsFor(tenant).map((action) =>
          h(
            'button',
            {
              type: 'button',
              className: `button ${action.danger ? 'button-danger-outline' : action.primary ? 'button-primary' : 'button-secondary'}`,
              'data-action': action.key,
              onClick: () => void runAction(action),
            },
            action.label,
          ),
        ),
      ),
    );

  const banners = (tenant) => {
    const list = [];
    if (tenant.health.state === 'attention') {
      list.push(
        h(
          'div',
          { className: 'banner banner-danger', role: 'alert', 'data-testid': 'attention' },
          h('strong', {}, 'Needs attention. '),
          tenant.health.reason,
          tenant.status === 'failed' ? h('span', { className: 'subtle' }, ' Retrying resumes at the failed step; steps are idempotent.') : null,
        ),
      );
    }
    if (tenant.status === 'suspended') {
      list.push(h('div', { className: 'banner banner-warning' }, h('strong', {}, 'Suspended. '), tenant.suspensionReason ?? 'No reason recorded.'));
    }
    const running = tenant.status === 'provisioning' ? 'provision' : tenant.status === 'deprovisioning' ? 'deprovision' : null;
    if (running) {
      const steps = detail.pipelines[running];
      const done = steps.filter((s) => detail.steps.some((r) => r.pipeline === running && r.step === s && r.status === 'completed')).length;
      const current = steps.find((s) => !detail.steps.some((r) => r.pipeline === running && r.step === s && r.status === 'completed'));
      list.push(
        h(
          'div',
          { className: 'banner banner-info', 'data-testid': 'progress' },
          h('div', {}, h('strong', {}, `${PIPELINE_TITLES[running]}… `), current ? `step ${done + 1} of ${steps.length}: ${humanize(current)}` : 'finishing'),
          bar('progress', done / steps.length, { role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': steps.length, 'aria-valuenow': done }),
        ),
      );
    }
    return list;
  };

  const overview = (tenant) =>
    h(
      'section',
      { className: 'card' },
      h('h2', {}, 'Overview'),
      h(
        'dl',
        { className: 'facts' },
        fact('Health', healthIndicator(tenant.health)),
        fact('Tenant URL', tenant.status === 'deleted' ? h('span', { className: 'subtle' }, detail.url) : h('a', { href: detail.url, target: '_blank', rel: 'noopener' }, detail.url)),
        fact('Admin email', tenant.adminEmail),
        fact('Created', h('span', { title: formatDateTime(tenant.createdAt, { precise: true }) }, `${formatDateTime(tenant.createdAt)} (${formatRelative(tenant.createdAt)})`)),
        fact('Created by', h('span', { className: 'mono small' }, tenant.createdBy)),
        fact('Last change', formatDateTime(tenant.updatedAt)),
        tenant.deletedAt ? fact('Deleted', formatDateTime(tenant.deletedAt)) : null,
        fact('Workflow', h('span', { className: 'mono small' }, detail.workflow.id)),
      ),
    );

  const planAndUsage = () => {
    const { plan, usage } = detail;
    const storageShare = usage && usage.storageBytes !== null ? Math.min(1, usage.storageBytes / usage.storageQuotaBytes) : null;
    return h(
      'section',
      { className: 'card', 'data-testid': 'usage' },
      h('h2', {}, 'Plan and usage'),
      plan ? h('p', { className: 'plan-line' }, h('span', { className: 'plan-name' }, plan.name), h('span', { className: 'subtle' }, plan.description)) : null,
      usage
        ? h(
            'dl',
            { className: 'facts' },
            fact(
              'Storage',
              h(
                'div',
                { className: 'meter-block' },
                usage.storageBytes === null
                  ? h('span', { className: 'subtle' }, `not measured (no storage) · quota ${formatBytes(usage.storageQuotaBytes)}`)
                  : h('span', {}, `${formatBytes(usage.storageBytes)} of ${formatBytes(usage.storageQuotaBytes)}`),
                storageShare !== null ? bar('meter', storageShare, { title: `${(storageShare * 100).toFixed(2)} % of the plan's storage` }) : null,
              ),
            ),
            fact('Database', usage.databaseBytes === null ? h('span', { className: 'subtle' }, 'not measured (no database)') : formatBytes(usage.databaseBytes)),
            fact('Users allowed', formatNumber(usage.maxUsers)),
            fact('Measured', formatRelative(usage.measuredAt)),
          )
        : h('p', { className: 'subtle' }, 'Usage is not available.'),
    );
  };

  const resources = () =>
    h(
      'section',
      { className: 'card table-card', 'data-testid': 'resources' },
      h('h2', {}, 'Resources'),
      detail.resources.length === 0
        ? h('p', { className: 'subtle card-body' }, 'Nothing provisioned yet.')
        : h(
            'div',
            { className: 'table-scroll' },
            h(
              'table',
              { className: 'data-table compact' },
              h('thead', {}, h('tr', {}, ['Resource', 'Name', 'State', 'Created', 'Removed'].map((c) => h('th', { scope: 'col' }, c)))),
              h(
                'tbody',
                {},
                detail.resources.map((r) =>
                  h(
                    'tr',
                    { dataset: { kind: r.kind } },
                    h('td', {}, humanize(r.kind)),
                    h('td', { className: 'mono small wrap' }, r.name),
                    h('td', {}, h('span', { className: `pill pill-${r.state}` }, r.state)),
                    h('td', { className: 'nowrap' }, formatDateTime(r.createdAt)),
                    h('td', { className: 'nowrap' }, r.removedAt ? formatDateTime(r.removedAt) : '—'),
                  ),
                ),
              ),
            ),
          ),
    );

  const history = (tenant) => {
    const pipelines = ['provision', 'deprovision'].filter((p) => p === 'provision' || detail.steps.some((s) => s.pipeline === p) || tenant.status === 'deprovisioning');
    return h(
      'section',
      { className: 'card table-card', 'data-testid': 'history' },
      h('h2', {}, 'Provisioning history'),
      pipelines.map((p) => pipelineTable(p)),
    );
  };

  const pipelineTable = (pipeline) =>
    h(
      'div',
      { className: 'pipeline', dataset: { pipeline } },
      h('h3', {}, PIPELINE_TITLES[pipeline]),
      h(
        'div',
        { className: 'table-scroll' },
        h(
          'table',
          { className: 'data-table compact' },
          h('thead', {}, h('tr', {}, ['#', 'Step', 'Status', 'Attempts', 'Started', 'Duration', 'Last error'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            detail.pipelines[pipeline].map((step, i) => {
              const run = detail.steps.find((s) => s.pipeline === pipeline && s.step === step);
              const status = run?.status ?? 'pending';
              const recovered = status === 'completed' && run?.lastError;
              return h(
                'tr',
                { className: status === 'failed' ? 'row-failed' : '', dataset: { step, stepStatus: status } },
                h('td', { className: 'subtle' }, String(i + 1)),
                h('td', {}, humanize(step)),
                h('td', {}, h('span', { className: `pill pill-step-${status}` }, status)),
                h('td', {}, run ? String(run.attempts) : '—'),
                h('td', { className: 'nowrap', title: run ? formatDateTime(run.firstStartedAt, { precise: true }) : undefined }, run ? formatDateTime(run.startedAt, { precise: true }) : '—'),
                h('td', { className: 'nowrap' }, run ? formatDuration(run.durationMs) : '—'),
                h(
                  'td',
                  { className: `error-cell${status === 'failed' ? ' error-text' : recovered ? ' subtle' : ''}` },
                  run?.lastError ? [recovered ? 'Recovered from: ' : '', run.lastError, run.lastErrorType ? h('span', { className: 'error-type' }, ` (${run.lastErrorType})`) : null] : '',
                ),
              );
            }),
          ),
        ),
      ),
    );

  const auditTrail = () =>
    h(
      'section',
      { className: 'card table-card', 'data-testid': 'audit' },
      h('h2', {}, 'Audit trail ', h('span', { className: 'subtle small' }, 'oldest first')),
      h(
        'div',
        { className: 'table-scroll' },
        h(
          'table',
          { className: 'data-table compact' },
          h('thead', {}, h('tr', {}, ['Time', 'Actor', 'Action', 'Step', 'Outcome', 'Details'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            audit.items.map((e) =>
              h(
                'tr',
                { dataset: { action: e.action } },
                h('td', { className: 'nowrap', title: formatDateTime(e.at, { precise: true }) }, formatDateTime(e.at, { precise: true })),
                h('td', { className: 'mono small' }, e.actor),
                h('td', {}, e.action),
                h('td', {}, e.step ? humanize(e.step) : ''),
                h('td', {}, h('span', { className: `pill pill-outcome-${e.outcome}` }, e.outcome)),
                h('td', { className: `details-cell${e.error ? ' error-text' : ''}` }, describeEvent(e)),
              ),
            ),
          ),
        ),
      ),
      audit.more
        ? h(
            'div',
            { className: 'table-footer' },
            h('span', { className: 'subtle' }, `${audit.items.length} events shown`),
            h('button', { type: 'button', className: 'button button-secondary', onClick: () => void loadMoreAudit() }, 'Load more'),
          )
        : null,
    );

  render();
  void refresh();
  return () => {
    disposed = true;
    clearTimeout(timer);
  };
}

/** A bar filled to `share` (0–1); the width is set through the CSSOM, which the page's CSP allows. */
function bar(className, share, attributes) {
  const fill = h('div', { className: `${className}-fill` });
  fill.style.width = `${Math.max(share > 0 ? 1 : 0, Math.round(share * 100))}%`;
  return h('div', { className, ...attributes }, fill);
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** The error if there is one, else the details a person would want (reason, attempt, duration). */
function describeEvent(e) {
  if (e.error) return e.error;
  const d = e.details ?? {};
  const parts = [];
  if (d.reason) parts.push(`reason: ${d.reason}`);
  if (d.status && !e.action.startsWith('step.')) parts.push(`→ ${d.status}`);
  if (d.attempt) parts.push(`attempt ${d.attempt}`);
  if (typeof d.durationMs === 'number') parts.push(formatDuration(d.durationMs));
  if (e.action === 'tenant.created') parts.push(`${d.slug ?? ''} on ${d.plan ?? ''}`.trim());
  return parts.join(' · ');
}
