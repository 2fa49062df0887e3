import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type postgres from 'postgres';
import { Problem } from '../problem';
import { principalOfSession, principalOfToken, type Principal } from './credential-store';
import { can, type Permission } from './roles';

export const SESSION_COOKIE = 'acp_session';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * Every API route requires a credential: a bearer token, or the console's session
 * cookie (SameSite=Strict, so another site cannot ride on it). Runs before any route
 * looks a tenant up, so a 401 says nothing about whether a tenant exists.
 */
export function authenticate(sql: postgres.Sql): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    refuseCrossSiteCookieWrites(req);
    const principal = await principalOfRequest(sql, req);
    if (!principal) throw new Problem(401, 'Unauthenticated', 'sign in, or send a valid bearer token', {}, { 'www-authenticate': 'Bearer' });
    req.principal = principal;
    next();
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A change made with the session cookie must come from the console's own pages. The
 * cookie is SameSite=Strict already; a browser also names the page's origin on every
 * cross-origin write, so one from another origin is refused outright.
 */
export function refuseCrossSiteCookieWrites(req: Request): void {
  if (req.headers.authorization || SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.origin;
  if (origin === undefined) return;
  // Hosts, not schemes, are compared: behind a TLS-terminating proxy the API sees http.
  let originHost: string | null = null;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (originHost !== req.headers.host) throw new Problem(403, 'Forbidden', 'cross-site requests are refused');
}

/** Who sent the request: its bearer token if it has an Authorization header, else its session cookie. */
export async function principalOfRequest(sql: postgres.Sql, req: Request): Promise<Principal | null> {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? principalOfToken(sql, match[1]!) : null;
  }
  const session = cookieValue(req, SESSION_COOKIE);
  return session ? principalOfSession(sql, session) : null;
}

/** Checked before the route touches the registry, so a 403 says nothing about whether a tenant exists. */
export function authorize(permission: Permission): RequestHandler {
  return (req, _res, next) => {
    if (!req.principal || !can(req.principal.role, permission)) {
      throw new Problem(403, 'Forbidden', `the ${req.principal?.role ?? 'anonymous'} role may not do this`);
    }
    next();
  };
}

export function actorOf(req: Request): string {
  if (!req.principal) throw new Error('actorOf called on an unauthenticated request');
  return req.principal.actor;
}
