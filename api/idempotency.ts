import { createHash } from 'node:crypto';
import type { Request } from 'express';
import type postgres from 'postgres';
import { Problem } from './problem';

/**
 * `Idempotency-Key` for create requests: a client (the signup backend) that did not get
 * an answer sends the same request again with the same key and gets the first answer,
 * not a second tenant.
 *
 * The key is claimed by inserting its row at the start of the transaction that does the
 * work, and the answer is written into that row before the commit. A concurrent request
 * with the same key blocks on the uncommitted row, and then either reads the committed
 * answer or, if the first transaction rolled back, claims the key itself. So two
 * requests never both do the work, and no one ever reads a half-finished answer.
 */

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** After this long a key may be used again for something else. */
export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRequest {
  credentialId: string;
  key: string;
  fingerprint: string;
}

export interface StoredAnswer {
  status: number;
  /** The JSON body exactly as first sent. */
  body: string;
  headers: Record<string, string>;
}

/** The request's idempotency key, or null without the header; 400 for a malformed one. */
export function idempotentRequestOf(req: Request, credentialId: string, body: unknown): IdempotentRequest | null {
  const key = req.get(IDEMPOTENCY_HEADER);
  if (key === undefined) return null;
  if (!KEY_PATTERN.test(key)) {
    throw Problem.validation([{ field: 'Idempotency-Key', reason: 'must be 1 to 255 visible ASCII characters' }]);
  }
  return { credentialId, key, fingerprint: fingerprintOf(req.method, req.baseUrl + req.path, body) };
}

/** The same request, however its JSON object keys were ordered, has the same fingerprint. */
export function fingerprintOf(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Claims the key inside `tx`: null when this request now owns it (and must answer with
 * `rememberAnswer` before committing), or the stored answer of the earlier request.
 * A key reused for a different request is refused with 422.
 */
export async function claimIdempotencyKey(tx: postgres.TransactionSql, r: IdempotentRequest): Promise<StoredAnswer | null> {
  // A row older than the TTL is taken over as if it did not exist.
  const claimed = await tx`
    INSERT INTO idempotency_keys (credential_id, key, fingerprint) VALUES (${r.credentialId}, ${r.key}, ${r.fingerprint})
    ON CONFLICT (credential_id, key) DO UPDATE
      SET fingerprint = EXCLUDED.fingerprint, response_status = NULL, response_body = NULL, response_headers = NULL,
          tenant_id = NULL, created_at = now()
      WHERE idempotency_keys.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
    RETURNING 1`;
  if (claimed.length > 0) return null;
  const [row] = await tx<{ fingerprint: string; status: number | null; body: string | null; headers: Record<string, string> | null }[]>`
    SELECT fingerprint, response_status AS status, response_body AS body, response_headers AS headers
    FROM idempotency_keys WHERE credential_id = ${r.credentialId} AND key = ${r.key}`;
  if (!row || row.status === null || row.body === null) {
    // Only possible if the row vanished between the two statements (expired and cleaned up).
    throw new Problem(409, 'Conflict', 'a request with this Idempotency-Key is in progress; retry it', {}, { 'retry-after': '1' });
  }
  if (row.fingerprint !== r.fingerprint) {
    throw new Problem(422, 'Idempotency-Key reused', 'this Idempotency-Key was already used for a different request', {
      errors: [{ field: 'Idempotency-Key', reason: 'was used for a different request body' }],
    });
  }
  return { status: row.status, body: row.body, headers: row.headers ?? {} };
}

/** Stores the answer of the request that claimed the key, in the same transaction as its work. */
export async function rememberAnswer(tx: postgres.TransactionSql, r: IdempotentRequest, answer: StoredAnswer, tenantId: string | null): Promise<void> {
  await tx`
    UPDATE idempotency_keys SET response_status = ${answer.status}, response_body = ${answer.body},
      response_headers = ${tx.json(answer.headers)}, tenant_id = ${tenantId}
    WHERE credential_id = ${r.credentialId} AND key = ${r.key}`;
}

/** Drops expired keys; called now and then so that the table does not grow without bound. */
export async function forgetExpiredKeys(sql: postgres.Sql): Promise<number> {
  const rows = await sql`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS}) RETURNING 1`;
  return rows.length;
}
