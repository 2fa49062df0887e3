import type http from 'node:http';

/**
 * Headers on every page the gateway answers. Pages load nothing (no scripts, no images);
 * forms post only to their own origin; no page may be framed; and no Referer leaves a
 * page, since an invitation page's address is itself the secret.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function sendPage(res: http.ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, ...headers });
  res.end(html);
}

/** 303 See Other: after a form is handled, the browser GETs `location`, so a reload does not post again. */
export function seeOther(res: http.ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'content-length': '0' });
  res.end();
}

/** A refusal the request handler turns into a page with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    /** E.g. `allow`, or `connection: close` when the request body was left unread. */
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

export const FORM_BODY_LIMIT = 8 * 1024;
const CLOSE = { connection: 'close' };

/** Reads an application/x-www-form-urlencoded body of at most `limit` bytes. */
export async function readForm(req: http.IncomingMessage, limit = FORM_BODY_LIMIT): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'Unsupported form encoding', 'This form must be sent as application/x-www-form-urlencoded.', CLOSE);
  }
  const tooLarge = () => new HttpError(413, 'Form too large', `This form may be at most ${limit} bytes.`, CLOSE);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Whether a state-changing request comes from a page of this same host. A browser sends
 * Origin with every cross-origin POST, and Sec-Fetch-Site where it supports it; other
 * tenants are same-*site* (sibling subdomains), so only same-origin passes. A request with
 * neither header (curl, an old browser) passes: what protects the form is the secret
 * token in its address, which a forging page does not know.
 */
export function isSameOrigin(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  try {
    const from = new URL(origin); // "null" (a sandboxed or privacy-sensitive context) throws: refused
    if (from.protocol !== 'http:' && from.protocol !== 'https:') return false;
    // Parsed with the origin's own scheme, so that default ports compare equal.
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}
