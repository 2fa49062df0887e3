import path from 'node:path';
import express, { Router, type Request, type Response } from 'express';
import type postgres from 'postgres';
import { principalOfRequest } from './auth/authenticate';
import { can } from './auth/roles';

/** The staff console: static files, no build step. The JSON API under /v1 is its only data source. */
export const CONSOLE_DIR = path.resolve(__dirname, '..', 'console');

/** Pages of the single-page console; its script tells them apart by path. */
export const CONSOLE_PAGES = ['/', '/tenants/:idOrSlug'] as const;

/**
 * Scripts and styles come only from this origin and nothing may frame the console, so
 * neither injected markup nor another site can act with a staff member's session.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

function sendPage(res: Response, file: string, status = 200): void {
  res
    .status(status)
    .set({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'same-origin',
      // Pages are gated per request: never serve one from a cache after sign-out.
      'cache-control': 'no-store',
    })
    .sendFile(path.join(CONSOLE_DIR, file));
}

/** Only a path on this origin may be a post-sign-in destination, never `//other.site`. */
export function safeNextPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

export function consoleRoutes(sql: postgres.Sql): Router {
  const router = Router();

  // Public: the sign-in form (or, when already signed in, where it leads), and the code and styles every page loads (they hold no data).
  router.get('/login', async (req, res) => {
    const principal = await principalOfRequest(sql, req);
    if (principal && can(principal.role, 'tenants.read')) {
      res.set('cache-control', 'no-store').redirect(302, safeNextPath(req.query.next));
      return;
    }
    sendPage(res, 'login.html');
  });
  router.use(
    '/assets',
    express.static(path.join(CONSOLE_DIR, 'assets'), {
      index: false,
      setHeaders: (res) => res.set({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }),
    }),
  );

  // Every page needs a signed-in member of staff who may read tenants; the path is not
  // looked at, so a redirect or a 403 says nothing about whether a tenant exists.
  router.get([...CONSOLE_PAGES], async (req: Request, res: Response) => {
    const principal = await principalOfRequest(sql, req);
    if (!principal) {
      res.set('cache-control', 'no-store').redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    if (!can(principal.role, 'tenants.read')) {
      sendPage(res, 'forbidden.html', 403);
      return;
    }
    sendPage(res, 'index.html');
  });

  return router;
}
