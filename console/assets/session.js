import { api } from './api.js';

/**
 * Who is signed in and what the role allows. The console only hides what the role may
 * not do; the API checks every request again.
 */
let current = null;

export async function loadSession() {
  current = await api('GET', '/v1/session');
  return current;
}

export function can(permission) {
  return current?.permissions?.includes(permission) ?? false;
}

export async function signOut() {
  await fetch('/v1/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => {});
  location.assign('/login');
}
