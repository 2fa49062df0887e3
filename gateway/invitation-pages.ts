/** The pages of an invitation: the password form, its outcomes, and why a link does not work. */
import { escapeHtml, page } from './pages';

/** In characters (code points). The longest is a limit on work, not advice. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export interface InvitationView {
  orgName: string;
  email: string;
}

/** The form posts back to its own address (no action attribute), so the token is written nowhere else in the page. */
export function invitationFormPage(view: InvitationView, error?: string): string {
  const org = escapeHtml(view.orgName);
  const email = escapeHtml(view.email);
  return page(
    `Join ${view.orgName}`,
    `<h1>Join ${org} as ${email}</h1>
<p>Choose a password to finish setting up your account on ActionConnect.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" accept-charset="utf-8">
<input type="hidden" name="username" value="${email}" autocomplete="username">
<label>Password (at least ${PASSWORD_MIN_LENGTH} characters)<input type="password" name="password" autocomplete="new-password" minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}" required autofocus></label>
<label>Confirm password<input type="password" name="confirm" autocomplete="new-password" minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}" required></label>
<button type="submit">Set password and join</button>
</form>`,
  );
}

export function allSetPage(view: InvitationView): string {
  return page(
    "You're all set",
    `<h1>You're all set</h1><p>Your password is saved: ${escapeHtml(view.email)} is now an active member of ${escapeHtml(view.orgName)}.</p><p><a href="/">Go to ${escapeHtml(view.orgName)}</a></p>`,
  );
}

export function unknownInvitationPage(): string {
  return page(
    'Invitation not found',
    '<h1>This invitation link is not valid</h1><p>Check that you opened the whole link from your invitation email.</p>',
  );
}

export function usedInvitationPage(view: InvitationView): string {
  return page(
    'Invitation already accepted',
    `<h1>This invitation has already been accepted</h1><p>The password for ${escapeHtml(view.email)} is already set; an invitation link works only once.</p><p><a href="/">Go to ${escapeHtml(view.orgName)}</a></p>`,
  );
}

export function expiredInvitationPage(view: InvitationView): string {
  return page(
    'Invitation expired',
    `<h1>This invitation has expired</h1><p>Ask ActionConnect support or an administrator of ${escapeHtml(view.orgName)} for a new invitation.</p>`,
  );
}

export function revokedInvitationPage(view: InvitationView): string {
  return page(
    'Invitation no longer valid',
    `<h1>This invitation is no longer valid</h1><p>The account ${escapeHtml(view.email)} has been disabled in ${escapeHtml(view.orgName)}.</p>`,
  );
}
