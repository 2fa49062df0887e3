import { Router } from 'express';
import type postgres from 'postgres';
import { z } from 'zod';
import { stringExpected } from '../tenant-input';
import { Problem, parseOr400 } from '../problem';
import { SESSION_TTL_MS, signIn, signOut } from '../auth/credential-store';
import { authenticate, cookieValue, refuseCrossSiteCookieWrites, SESSION_COOKIE } from '../auth/authenticate';
import { ROLE_PERMISSIONS } from '../auth/roles';
import { rateLimit, type RateLimit } from '../rate-limit';

const signInSchema = z.strictObject({
  email: z.string({ error: stringExpected() }).min(1, 'must not be empty').max(254),
  password: z.string({ error: stringExpected() }).min(1, 'must not be empty').max(1024),
});

/** Console sign-in: a session cookie that is HttpOnly (no script reads it) and SameSite=Strict (no other site sends it). */
/** Sign-in attempts per email address: enough for a person, too few to guess a password. */
export const SIGN_IN_LIMIT: RateLimit = { burst: 10, perMinute: 5 };

export function sessionRoutes(sql: postgres.Sql, opts: { secureCookies: boolean; signInLimit?: RateLimit }): Router {
  const router = Router();
  const limitSignIns = rateLimit(
    opts.signInLimit ?? SIGN_IN_LIMIT,
    (req) => `sign-in:${String((req.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase()}`,
    'too many sign-in attempts for this account; wait a minute',
  );

  router.use((req, _res, next) => {
    refuseCrossSiteCookieWrites(req);
    next();
  });

  router.post('/', limitSignIns, async (req, res) => {
    const body = parseOr400(signInSchema, req.body ?? {});
    const session = await signIn(sql, body.email, body.password);
    if (!session) throw new Problem(401, 'Unauthenticated', 'wrong email or password');
    res.cookie(SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.secureCookies,
      path: '/',
      maxAge: SESSION_TTL_MS,
    });
    res.json({ actor: session.principal.actor, role: session.principal.role, permissions: ROLE_PERMISSIONS[session.principal.role] });
  });

  router.get('/', authenticate(sql), (req, res) => {
    const principal = req.principal!;
    res.json({ actor: principal.actor, role: principal.role, permissions: ROLE_PERMISSIONS[principal.role] });
  });

  router.delete('/', async (req, res) => {
    const token = cookieValue(req, SESSION_COOKIE);
    if (token) await signOut(sql, token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });

  return router;
}
