/** The small HTML pages the gateway answers with. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A whole page; `title` is escaped here, `body` must already be safe HTML. */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.6rem}.status{display:inline-block;padding:.15rem .6rem;border-radius:999px;color:#fff;margin:.15rem;font-size:.9rem}
.muted{color:#6b7280}form{display:grid;gap:.9rem;max-width:24rem}label{display:grid;gap:.3rem}
input{font:inherit;padding:.45rem .6rem;border:1px solid #9ca3af;border-radius:.4rem}
button{font:inherit;padding:.55rem 1rem;border:0;border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}
.error{color:#b91c1c;font-weight:600}</style></head><body>${body}</body></html>`;
}

export function notFoundPage(host: string): string {
  return page('Not found', `<h1>No organization here</h1><p class="muted">There is no ActionConnect organization at <code>${escapeHtml(host)}</code>.</p>`);
}

export function suspendedPage(name: string): string {
  return page(
    `${name} is suspended`,
    `<h1>${escapeHtml(name)} is temporarily unavailable</h1><p>This organization's access to ActionConnect has been suspended. Its data is kept safe.</p><p class="muted">If you are an administrator of this organization, contact ActionConnect support.</p>`,
  );
}

export function unavailablePage(name: string, status: string): string {
  return page(`${name} is unavailable`, `<h1>${escapeHtml(name)} is not available right now</h1><p class="muted">Status: ${escapeHtml(status)}</p>`);
}

export interface TenantHome {
  name: string;
  slug: string;
  statuses: { key: string; name: string; color: string }[];
}

export function tenantHomePage(home: TenantHome): string {
  const statuses = home.statuses
    .map((s) => `<span class="status" style="background:${/^#[0-9a-fA-F]{6}$/.test(s.color) ? s.color : '#6b7280'}">${escapeHtml(s.name)}</span>`)
    .join('');
  return page(home.name, `<h1>${escapeHtml(home.name)}</h1><p class="muted">${escapeHtml(home.slug)} on ActionConnect</p><h2>Ticket statuses</h2><p>${statuses}</p>`);
}

export function pageNotFoundPage(orgName: string): string {
  return page('Page not found', `<h1>Page not found</h1><p>There is no such page on ${escapeHtml(orgName)}.</p><p><a href="/">Go to ${escapeHtml(orgName)}</a></p>`);
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
