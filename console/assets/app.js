import { h, replaceChildren } from './dom.js';
import { loadSession, signOut } from './session.js';
import { mountTenantList } from './tenant-list.js';
import { mountTenantDetail } from './tenant-detail.js';

/** Paths of the console's views; the server serves the same page for each. */
const ROUTES = [
  { pattern: /^\/$/, mount: mountTenantList, title: 'Tenants' },
  { pattern: /^\/tenants\/([^/]+)$/, mount: mountTenantDetail, title: 'Tenant', param: 'idOrSlug' },
];

const view = document.getElementById('view');
let unmount = () => {};

function show() {
  unmount();
  const route = ROUTES.find((r) => r.pattern.test(location.pathname));
  if (!route) {
    replaceChildren(view, h('div', { className: 'card empty-state' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/' }, 'Back to the tenants'))));
    unmount = () => {};
    return;
  }
  const match = route.pattern.exec(location.pathname);
  const params = route.param ? { [route.param]: decodeURIComponent(match[1]) } : {};
  document.title = `${route.title} · ActionConnect staff console`;
  unmount = route.mount(view, { params, navigate }) ?? (() => {});
  window.scrollTo(0, 0);
}

export function navigate(path) {
  history.pushState(null, '', path);
  show();
}

// Links within the console change the view without reloading the page.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || link.target || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href);
  if (url.origin !== location.origin || !ROUTES.some((r) => r.pattern.test(url.pathname))) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', show);

async function start() {
  const session = await loadSession();
  document.getElementById('session-actor').textContent = session.actor.replace(/^staff:/, '');
  const role = document.getElementById('session-role');
  role.textContent = session.role;
  role.dataset.role = session.role;
  document.getElementById('sign-out').addEventListener('click', () => void signOut());
  show();
}

start().catch((err) => {
  replaceChildren(view, h('div', { className: 'card empty-state' }, h('h1', {}, 'The console could not start'), h('p', { className: 'subtle' }, err.message)));
});
