/**
 * The console's only way to the data: the JSON API on this origin, with the session
 * cookie (HttpOnly, so this code never sees it). Errors arrive as problem+json.
 */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `request failed with ${status}`);
    this.status = status;
    this.problem = problem ?? { title: `Request failed (${status})` };
  }

  /** Field errors keyed by field name, as the API names them. */
  get fieldErrors() {
    const errors = {};
    for (const e of this.problem.errors ?? []) (errors[e.field] ??= []).push(e.reason);
    return errors;
  }
}

export function signInUrl() {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

export async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { title: 'Network error', detail: 'the platform did not answer; check that it is running' });
  }
  const text = await res.text();
  let payload = null;
  try {
    payload = text ? JSON.parse(text) : null;
  } catch {
    payload = null;
  }
  // The session expired or was revoked: back to the sign-in form, then here again.
  // (A refused sign-in is also a 401; the form shows that one itself.)
  if (res.status === 401 && !(method === 'POST' && path === '/v1/session')) {
    location.assign(signInUrl());
    return new Promise(() => {});
  }
  if (!res.ok) throw new ApiError(res.status, payload);
  return payload;
}
