import { h, replaceChildren } from './dom.js';
import { api } from './api.js';
import { can } from './session.js';
import { notify } from './toasts.js';
import { STATUSES, healthIndicator, isTransitional, planLabel, statusBadge } from './badges.js';
import { formatDateTime, formatRelative, humanize } from './format.js';
import { createTenantDialog } from './tenant-actions.js';

const PAGE_SIZE = 25;
const SEARCH_DEBOUNCE_MS = 300;
/** While a visible tenant is provisioning or tearing down, the page refreshes itself. */
const LIVE_REFRESH_MS = 2000;
const FILTERS = ['q', 'status', 'plan', 'cursor'];

/**
 * The tenant list. Search, filters and the page's cursor live in the URL query, so a
 * reload or a shared link shows the same page; the cursors of the pages before it
 * (the API pages forward only) live in the history entry's state for Previous.
 */
export function mountTenantList(root, { navigate }) {
  const params = new URLSearchParams(location.search);
  const query = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) ?? '']));
  let previousCursors = Array.isArray(history.state?.previousCursors) ? history.state.previousCursors : [];
  let plans = [];
  let page = { items: [], nextCursor: null };
  let requestSeq = 0;
  let searchTimer;
  let refreshTimer;
  let disposed = false;

  const search = h('input', {
    type: 'search',
    className: 'input search-input',
    placeholder: 'Search by name or slug',
    'aria-label': 'Search by name or slug',
    value: query.q,
    'data-testid': 'search',
  });
  const statusFilter = h(
    'select',
    { className: 'input', 'aria-label': 'Status', 'data-testid': 'status-filter' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((s) => h('option', { value: s, selected: s === query.status }, humanize(s))),
  );
  const planFilter = h('select', { className: 'input', 'aria-label': 'Plan', 'data-testid': 'plan-filter' }, h('option', { value: '' }, 'All plans'));
  const clearButton = h('button', { type: 'button', className: 'button button-ghost', hidden: true }, 'Clear filters');
  const tbody = h('tbody', {});
  const table = h(
    'table',
    { className: 'data-table', 'data-testid': 'tenant-table' },
    h('thead', {}, h('tr', {}, ['Name', 'Slug', 'Status', 'Plan', 'Health', 'Created'].map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );
  const rangeLabel = h('span', { className: 'subtle' });
  const previousButton = h('button', { type: 'button', className: 'button button-secondary', 'data-testid': 'previous-page' }, '← Previous');
  const nextButton = h('button', { type: 'button', className: 'button button-secondary', 'data-testid': 'next-page' }, 'Next →');
  const createButton = can('tenants.create') ? h('button', { type: 'button', className: 'button button-primary', 'data-testid': 'create-tenant' }, '+ New tenant') : null;

  replaceChildren(
    root,
    h(
      'div',
      { className: 'page-header' },
      h('div', {}, h('h1', {}, 'Tenants'), h('p', { className: 'subtle' }, 'Every organization on ActionConnect, newest first.')),
      h('div', { className: 'page-actions' }, createButton),
    ),
    h('div', { className: 'toolbar' }, search, statusFilter, planFilter, clearButton),
    h('div', { className: 'card table-card' }, h('div', { className: 'table-scroll' }, table), h('div', { className: 'table-footer' }, rangeLabel, h('div', { className: 'pager' }, previousButton, nextButton))),
  );

  const urlOf = () => {
    const p = new URLSearchParams();
    for (const k of FILTERS) if (query[k]) p.set(k, query[k]);
    const qs = p.toString();
    return qs ? `/?${qs}` : '/';
  };
  const remember = (how) => history[how === 'push' ? 'pushState' : 'replaceState']({ previousCursors }, '', urlOf());

  const render = () => {
    const filtered = Boolean(query.q || query.status || query.plan);
    clearButton.hidden = !filtered;
    const first = previousCursors.length * PAGE_SIZE;
    rangeLabel.textContent = page.items.length ? `Showing ${first + 1}–${first + page.items.length}` : '';
    previousButton.disabled = !query.cursor;
    nextButton.disabled = !page.nextCursor;
    if (page.items.length === 0) {
      replaceChildren(
        tbody,
        h('tr', {}, h('td', { colspan: 6, className: 'empty' }, filtered ? 'No tenant matches these filters.' : 'No tenants yet.')),
      );
      return;
    }
    replaceChildren(
      tbody,
      page.items.map((t) =>
        h(
          'tr',
          {
            className: 'row-link',
            dataset: { slug: t.slug, id: t.id },
            onClick: (event) => {
              if (!event.target.closest('a')) navigate(`/tenants/${t.id}`);
            },
          },
          h('td', {}, h('a', { href: `/tenants/${t.id}`, className: 'tenant-name' }, t.name)),
          h('td', { className: 'mono' }, t.slug),
          h('td', {}, statusBadge(t.status)),
          h('td', {}, planLabel(t.plan, plans)),
          h('td', { className: 'health-cell' }, healthIndicator(t.health)),
          h('td', { className: 'nowrap', title: formatDateTime(t.createdAt) }, formatRelative(t.createdAt)),
        ),
      ),
    );
  };

  const load = async () => {
    clearTimeout(refreshTimer);
    const seq = ++requestSeq;
    const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const k of FILTERS) if (query[k]) p.set(k, query[k]);
    table.setAttribute('aria-busy', 'true');
    try {
      const result = await api('GET', `/v1/tenants?${p}`);
      if (disposed || seq !== requestSeq) return;
      page = result;
      render();
      if (page.items.some((t) => isTransitional(t.status))) refreshTimer = setTimeout(load, LIVE_REFRESH_MS);
    } catch (err) {
      if (disposed || seq !== requestSeq) return;
      replaceChildren(tbody, h('tr', {}, h('td', { colspan: 6, className: 'empty error-text' }, `Could not load tenants: ${err.message}`)));
    } finally {
      if (seq === requestSeq) table.removeAttribute('aria-busy');
    }
  };

  /** A new search or filter starts again from the first page. */
  const restart = () => {
    query.cursor = '';
    previousCursors = [];
    remember('replace');
    void load();
  };

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      query.q = search.value.trim();
      restart();
    }, SEARCH_DEBOUNCE_MS);
  });
  statusFilter.addEventListener('change', () => {
    query.status = statusFilter.value;
    restart();
  });
  planFilter.addEventListener('change', () => {
    query.plan = planFilter.value;
    restart();
  });
  clearButton.addEventListener('click', () => {
    search.value = statusFilter.value = planFilter.value = '';
    query.q = query.status = query.plan = '';
    restart();
  });
  nextButton.addEventListener('click', () => {
    if (!page.nextCursor) return;
    previousCursors = [...previousCursors, query.cursor];
    query.cursor = page.nextCursor;
    remember('push');
    void load();
  });
  previousButton.addEventListener('click', () => {
    query.cursor = previousCursors.at(-1) ?? '';
    previousCursors = previousCursors.slice(0, -1);
    remember('push');
    void load();
  });
  createButton?.addEventListener('click', async () => {
    if (plans.length === 0) plans = (await api('GET', '/v1/plans')).items;
    const created = await createTenantDialog(plans);
    if (!created) return;
    notify(`Tenant ${created.tenant.slug} created; provisioning has started.`);
    navigate(`/tenants/${created.tenant.id}`);
  });

  remember('replace');
  void load();
  api('GET', '/v1/plans')
    .then((res) => {
      if (disposed) return;
      plans = res.items;
      planFilter.append(...plans.map((p) => h('option', { value: p.key, selected: p.key === query.plan }, p.name)));
      render();
    })
    .catch(() => {});
  search.focus();

  return () => {
    disposed = true;
    clearTimeout(searchTimer);
    clearTimeout(refreshTimer);
  };
}
