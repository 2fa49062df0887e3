import type { Request, RequestHandler } from 'express';
import { Problem } from './problem';

/**
 * A token bucket per credential: up to `burst` requests at once, refilled at
 * `perMinute`. Kept in the API process's memory, so with several API processes each
 * allows its own share; that bounds a runaway client, which is what this is for.
 */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets idle this long are full again and can be forgotten. */
const FORGET_AFTER_MS = 10 * 60_000;

export function rateLimitPerCredential(limit: RateLimit, now: () => number = Date.now): RequestHandler {
  return rateLimit(limit, (req) => req.principal?.credentialId ?? 'anonymous', `this credential may create at most ${limit.perMinute} tenants a minute (bursts of ${limit.burst})`, now);
}

/** A token bucket per key (a credential, an email address signing in). */
export function rateLimit(limit: RateLimit, keyOf: (req: Request) => string, refusal: string, now: () => number = Date.now): RequestHandler {
  const buckets = new Map<string, Bucket>();
  const perMs = limit.perMinute / 60_000;
  let lastSweep = now();

  const sweep = (t: number) => {
    if (t - lastSweep < FORGET_AFTER_MS) return;
    lastSweep = t;
    for (const [id, b] of buckets) if (t - b.updatedAt > FORGET_AFTER_MS) buckets.delete(id);
  };

  return (req, _res, next) => {
    const id = keyOf(req);
    const t = now();
    sweep(t);
    const bucket = buckets.get(id) ?? { tokens: limit.burst, updatedAt: t };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + (t - bucket.updatedAt) * perMs);
    bucket.updatedAt = t;
    buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return next();
    }
    const retryAfterS = perMs > 0 ? Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) : 3600;
    throw new Problem(429, 'Too many requests', refusal, { retryAfterSeconds: retryAfterS }, { 'retry-after': String(retryAfterS) });
  };
}
