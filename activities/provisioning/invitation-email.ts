/**
 * The admin's invitation, as an RFC 5322 message for the local mail outbox: CRLF line
 * ends, a Date and Message-ID, a MIME text/plain UTF-8 body sent as 8bit (every line well
 * under 998 octets), and a Subject that is RFC 2047-encoded when it is not plain ASCII.
 */
export interface InvitationEmail {
  to: string;
  from: string;
  tenantName: string;
  /** The link that accepts the invitation. */
  link: string;
  /** Without the angle brackets: `<local>@<domain>`. Stable across retries, so a resent copy is the same message. */
  messageId: string;
  validForDays: number;
  date: Date;
}

export function composeInvitationEmail(mail: InvitationEmail): string {
  for (const [field, value] of [['to', mail.to], ['from', mail.from], ['messageId', mail.messageId], ['link', mail.link]] as const) {
    if (!/^[\x20-\x7e]+$/.test(value)) throw new Error(`invitation email: ${field} must be printable ASCII`);
  }
  const name = mail.tenantName.replace(/\s+/g, ' ').trim();
  const headers = [
    `Date: ${rfc5322Date(mail.date)}`,
    foldHeader('From', mail.from),
    foldHeader('To', mail.to),
    foldHeader('Subject', encodeUnstructured(`Your ActionConnect organization ${name} is ready`)),
    `Message-ID: <${mail.messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  const body = [
    'Hello,',
    '',
    ...wrap(`Your ActionConnect organization ${name} is ready, and you are its administrator.`),
    '',
    ...wrap('Open this link to choose your password and accept the invitation:'),
    '',
    mail.link,
    '',
    ...wrap(`The link works once and expires ${mail.validForDays} days after the invitation was made. If you did not expect this email, you can ignore it.`),
    '',
    '-- ',
    'ActionConnect',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body.join('\r\n')}\r\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue, 04 Nov 2025 09:05:03 +0000` (RFC 5322 section 3.3), in UTC. */
export function rfc5322Date(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/**
 * Unstructured header text: as it is when it is printable ASCII (and could not be mistaken
 * for an encoded word), otherwise RFC 2047 `=?UTF-8?B?…?=` words, each whole characters and
 * short enough that `Subject: ` plus one word stays within 78 columns.
 */
export function encodeUnstructured(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && !text.includes('=?')) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 42) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** `Name: value`, folded at spaces so that lines stay within 78 columns where the words allow. */
function foldHeader(name: string, value: string): string {
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of value.split(' ')) {
    if (word && line.trim() && line.length + 1 + word.length > 78 && line.length > name.length + 1) {
      lines.push(line);
      line = '';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join('\r\n');
}

/** A paragraph broken at spaces into lines of at most 76 characters (a longer word keeps a line of its own). */
function wrap(text: string, width = 76): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
