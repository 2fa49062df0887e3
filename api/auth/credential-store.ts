import type postgres from 'postgres';
import type { StaffRole } from '../../db/registry/schema';
import { generatePassword, hashPassword, hashToken, mintToken, verifyPassword } from './secrets';

/** Who is asking: the actor named in every audit event, and the role that bounds what it may do. */
export interface Principal {
  actor: string;
  role: StaffRole;
  /** The credential itself, for per-credential limits. */
  credentialId: string;
}

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export async function createStaffAccount(sql: postgres.Sql, email: string, role: StaffRole, password = generatePassword()) {
  const passwordHash = await hashPassword(password);
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO staff_accounts (email, role, password_hash) VALUES (${email.toLowerCase()}, ${role}, ${passwordHash})
    ON CONFLICT (email) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, disabled_at = NULL
    RETURNING id`;
  return { id: row!.id, email: email.toLowerCase(), role, password };
}

export async function createApiToken(sql: postgres.Sql, name: string, role: StaffRole) {
  const token = mintToken();
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO api_tokens (name, role, token_hash) VALUES (${name}, ${role}, ${hashToken(token)})
    ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, token_hash = EXCLUDED.token_hash, revoked_at = NULL, created_at = now()
    RETURNING id`;
  return { id: row!.id, name, role, token };
}

/** Revokes the token named `name`: from then on it is refused (401). Revoking twice changes nothing. */
export async function revokeApiToken(sql: postgres.Sql, name: string): Promise<{ found: boolean; revokedAt: Date | null; alreadyRevoked: boolean }> {
  const [revoked] = await sql<{ revokedAt: Date }[]>`
    UPDATE api_tokens SET revoked_at = now() WHERE name = ${name} AND revoked_at IS NULL RETURNING revoked_at AS "revokedAt"`;
  if (revoked) return { found: true, revokedAt: revoked.revokedAt, alreadyRevoked: false };
  const [existing] = await sql<{ revokedAt: Date | null }[]>`SELECT revoked_at AS "revokedAt" FROM api_tokens WHERE name = ${name}`;
  return { found: existing !== undefined, revokedAt: existing?.revokedAt ?? null, alreadyRevoked: existing !== undefined };
}

/**
 * Disables the console account of `email`: its password no longer signs in, and every
 * session it has is deleted, so a console already open is signed out on its next request.
 * add-staff (createStaffAccount) enables it again with a new password.
 */
export async function disableStaffAccount(
  sql: postgres.Sql,
  email: string,
): Promise<{ found: boolean; disabledAt: Date | null; alreadyDisabled: boolean; sessionsEnded: number }> {
  return sql.begin(async (tx) => {
    const [account] = await tx<{ id: string; disabledAt: Date | null }[]>`
      SELECT id, disabled_at AS "disabledAt" FROM staff_accounts WHERE email = ${email.toLowerCase()} FOR UPDATE`;
    if (!account) return { found: false, disabledAt: null, alreadyDisabled: false, sessionsEnded: 0 };
    const [row] = await tx<{ disabledAt: Date }[]>`
      UPDATE staff_accounts SET disabled_at = COALESCE(disabled_at, now()) WHERE id = ${account.id} RETURNING disabled_at AS "disabledAt"`;
    const ended = await tx`DELETE FROM staff_sessions WHERE account_id = ${account.id}`;
    return { found: true, disabledAt: row!.disabledAt, alreadyDisabled: account.disabledAt !== null, sessionsEnded: ended.count };
  });
}

/**
 * `last_used_at` is written at most once a minute: an UPDATE on every request would make
 * all concurrent requests of one busy credential (the signup backend) queue on its row.
 */
export async function principalOfToken(sql: postgres.Sql, token: string): Promise<Principal | null> {
  const [row] = await sql<{ id: string; name: string; role: StaffRole; stale: boolean }[]>`
    SELECT id, name, role, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
    FROM api_tokens WHERE token_hash = ${hashToken(token)} AND revoked_at IS NULL`;
  if (!row) return null;
  if (row.stale) await sql`UPDATE api_tokens SET last_used_at = now() WHERE id = ${row.id}`;
  return { actor: `token:${row.name}`, role: row.role, credentialId: `token:${row.id}` };
}

export async function signIn(sql: postgres.Sql, email: string, password: string): Promise<{ token: string; principal: Principal } | null> {
  const [account] = await sql<{ id: string; email: string; role: StaffRole; passwordHash: string }[]>`
    SELECT id, email, role, password_hash AS "passwordHash" FROM staff_accounts WHERE email = ${email.toLowerCase()} AND disabled_at IS NULL`;
  // Hash anyway when the account is unknown, so timing does not tell which emails exist.
  const ok = await verifyPassword(password, account?.passwordHash ?? DUMMY_HASH);
  if (!account || !ok) return null;
  const token = mintToken();
  await sql`INSERT INTO staff_sessions (token_hash, account_id, expires_at) VALUES (${hashToken(token)}, ${account.id}, ${new Date(Date.now() + SESSION_TTL_MS)})`;
  return { token, principal: { actor: `staff:${account.email}`, role: account.role, credentialId: `staff:${account.id}` } };
}

export async function principalOfSession(sql: postgres.Sql, token: string): Promise<Principal | null> {
  const [row] = await sql<{ id: string; email: string; role: StaffRole }[]>`
    SELECT a.id, a.email, a.role FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id
    WHERE s.token_hash = ${hashToken(token)} AND s.expires_at > now() AND a.disabled_at IS NULL`;
  return row ? { actor: `staff:${row.email}`, role: row.role, credentialId: `staff:${row.id}` } : null;
}

export async function signOut(sql: postgres.Sql, token: string): Promise<void> {
  await sql`DELETE FROM staff_sessions WHERE token_hash = ${hashToken(token)}`;
}

export async function hasAdmin(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql`SELECT 1 FROM staff_accounts WHERE role = 'admin' AND disabled_at IS NULL LIMIT 1`;
  return row !== undefined;
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
