import type http from 'node:http';
import type postgres from 'postgres';
import { hashInvitationToken } from '../db/tenant/seed';
import { hashPassword } from '../api/auth/secrets';
import { HttpError, isSameOrigin, readForm, seeOther, sendPage } from './http';
import {
  allSetPage,
  expiredInvitationPage,
  invitationFormPage,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  revokedInvitationPage,
  unknownInvitationPage,
  usedInvitationPage,
  type InvitationView,
} from './invitation-pages';

/**
 * Accepting an invitation, in the tenant's own database and as its own role:
 *
 *   GET  /invitations/<token>           the password form ("Join <org> as <email>")
 *   POST /invitations/<token>           sets the password, activates the user, marks the invitation accepted
 *   GET  /invitations/<token>/accepted  "You're all set", where a successful POST sends the browser
 *
 * The token in the address is the secret: only its sha256 is stored, and it is never
 * logged. A link that is unknown answers 404; used, expired or of a disabled user, 410.
 */
export interface InvitationRequest {
  token: string;
  /** The confirmation page rather than the form. */
  accepted: boolean;
}

/** Tokens are base64url (43 characters for the 32-byte ones the platform mints). */
const INVITATION_PATH = /^\/invitations\/([A-Za-z0-9_-]{16,256})(\/accepted)?$/;

export function matchInvitationPath(pathname: string): InvitationRequest | null {
  const m = INVITATION_PATH.exec(pathname);
  return m ? { token: m[1]!, accepted: m[2] !== undefined } : null;
}

type InvitationState = 'open' | 'accepted' | 'expired' | 'disabled';

interface StateRow {
  userStatus: string;
  accepted: boolean;
  expired: boolean;
}

function stateOf(row: StateRow): InvitationState {
  if (row.accepted) return 'accepted';
  if (row.expired) return 'expired';
  if (row.userStatus === 'disabled') return 'disabled';
  return 'open';
}

interface Found {
  state: InvitationState;
  view: InvitationView;
}

async function findInvitation(sql: postgres.Sql, tokenHash: string, fallbackOrgName: string): Promise<Found | null> {
  const [row] = await sql<(StateRow & { email: string; orgName: string | null })[]>`
    SELECT u.email, u.status AS "userStatus", i.accepted_at IS NOT NULL AS accepted, i.expires_at <= now() AS expired,
           (SELECT value->>'name' FROM settings WHERE key = 'organization') AS "orgName"
    FROM invitations i JOIN users u ON u.id = i.user_id
    WHERE i.token_hash = ${tokenHash}`;
  if (!row) return null;
  return { state: stateOf(row), view: { email: row.email, orgName: row.orgName || fallbackOrgName } };
}

function refuse(res: http.ServerResponse, found: Found | null): void {
  if (!found) return sendPage(res, 404, unknownInvitationPage());
  if (found.state === 'accepted') return sendPage(res, 410, usedInvitationPage(found.view));
  if (found.state === 'expired') return sendPage(res, 410, expiredInvitationPage(found.view));
  return sendPage(res, 410, revokedInvitationPage(found.view));
}

/** Why a password is refused, in words for the person choosing it; null when it is fine. */
export function passwordProblem(password: string, confirm: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Choose a password of at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Choose a password of at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (password !== confirm) return 'The two passwords do not match. Type the same password in both fields.';
  return null;
}

export async function serveInvitation(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  tenant: { sql: postgres.Sql; orgName: string },
  request: InvitationRequest,
): Promise<void> {
  const method = req.method ?? 'GET';
  const tokenHash = hashInvitationToken(request.token);
  const isRead = method === 'GET' || method === 'HEAD';

  if (request.accepted) {
    if (!isRead) throw new HttpError(405, 'Method not allowed', 'This page can only be read.', { allow: 'GET, HEAD' });
    const found = await findInvitation(tenant.sql, tokenHash, tenant.orgName);
    if (found?.state === 'accepted') return sendPage(res, 200, allSetPage(found.view));
    if (found?.state === 'open') return seeOther(res, `/invitations/${request.token}`);
    return refuse(res, found);
  }

  if (isRead) {
    const found = await findInvitation(tenant.sql, tokenHash, tenant.orgName);
    if (found?.state !== 'open') return refuse(res, found);
    return sendPage(res, 200, invitationFormPage(found.view));
  }

  if (method !== 'POST') throw new HttpError(405, 'Method not allowed', 'Use the form on this page.', { allow: 'GET, HEAD, POST' });
  if (!isSameOrigin(req)) {
    throw new HttpError(403, 'Form refused', 'This form can only be sent from its own page. Open the link from your invitation email again.', { connection: 'close' });
  }
  const form = await readForm(req);
  const found = await findInvitation(tenant.sql, tokenHash, tenant.orgName);
  if (found?.state !== 'open') return refuse(res, found);
  const problem = passwordProblem(form.get('password') ?? '', form.get('confirm') ?? '');
  if (problem) return sendPage(res, 422, invitationFormPage(found.view, problem));

  // Hashed before the transaction, so the row lock is held for two statements, not for scrypt.
  const passwordHash = await hashPassword(form.get('password')!);
  const outcome = await tenant.sql.begin(async (tx) => {
    // Locks the invitation (and its user): of two submits at once, the second waits here
    // and then finds the invitation accepted.
    const [row] = await tx<(StateRow & { id: string; userId: string })[]>`
      SELECT i.id, i.user_id AS "userId", u.status AS "userStatus", i.accepted_at IS NOT NULL AS accepted, i.expires_at <= now() AS expired
      FROM invitations i JOIN users u ON u.id = i.user_id
      WHERE i.token_hash = ${tokenHash}
      FOR UPDATE`;
    if (!row) return 'unknown' as const;
    const state = stateOf(row);
    if (state !== 'open') return state;
    await tx`UPDATE users SET password_hash = ${passwordHash}, status = 'active', updated_at = now() WHERE id = ${row.userId}`;
    await tx`UPDATE invitations SET accepted_at = now() WHERE id = ${row.id}`;
    return 'done' as const;
  });
  if (outcome === 'done') return seeOther(res, `/invitations/${request.token}/accepted`);
  return refuse(res, outcome === 'unknown' ? null : { state: outcome, view: found.view });
}
