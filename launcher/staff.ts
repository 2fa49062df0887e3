import { parseArgs } from 'node:util';
import type postgres from 'postgres';
import { loadSettings } from '../config/settings';
import { openRegistry } from '../db/registry/connect';
import { STAFF_ROLES, type StaffRole } from '../db/registry/schema';
import { createApiToken, createStaffAccount, disableStaffAccount, revokeApiToken } from '../api/auth/credential-store';
import { describeRegistrySource, locateRegistry, registrySource, type RegistryLocation, type RegistrySource } from './registry-access';

const USAGE = `Staff credentials: console accounts and API tokens (works whether or not the platform is running).

Usage: npm run staff -- <command> [arguments]

  add-staff <email> --role viewer|operator|admin          create a console account, or reset its password
                                                          (and enable it again); prints the password once
  add-token <name> --role viewer|operator|admin|signup    mint an API bearer token (replaces one of that name);
                                                          prints the token once
  revoke-token <name>                                     revoke an API token: it is refused (401) from then on
  disable-staff <email>                                   disable a console account and end its sessions
  list                                                    accounts and tokens, with when each was disabled or
                                                          revoked (never their secrets)
  -h, --help                                              this text

Only hashes of passwords and tokens are stored. The registry is DATABASE_URL when set;
otherwise the embedded PostgreSQL under DATA_DIR (.data): the running platform's, on the
port it listens on, or started for the command and stopped after it.`;

class UsageError extends Error {}

type Command =
  | { name: 'add-staff'; email: string; role: Exclude<StaffRole, 'signup'> }
  | { name: 'add-token'; tokenName: string; role: StaffRole }
  | { name: 'revoke-token'; tokenName: string }
  | { name: 'disable-staff'; email: string }
  | { name: 'list' };

/** The command line as a command, `'help'`, or a UsageError saying what is wrong with it. */
function parseCommandLine(args: string[]): Command | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { positionals, values } = parsed;
  if (values.help) return 'help';
  const [command, subject, ...extra] = positionals;
  if (!command) throw new UsageError('no command given');
  if (extra.length) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const role = values.role;
  const needsRole = command === 'add-staff' || command === 'add-token';
  if (!needsRole && role !== undefined) throw new UsageError(`${command} takes no --role`);
  if (command === 'list') {
    if (subject !== undefined) throw new UsageError(`unexpected argument: ${subject}`);
    return { name: 'list' };
  }
  if (!['add-staff', 'add-token', 'revoke-token', 'disable-staff'].includes(command)) throw new UsageError(`unknown command: ${command}`);
  if (!subject) throw new UsageError(`${command} needs ${command.endsWith('staff') ? 'an email' : 'a token name'}`);
  if (command === 'revoke-token') return { name: command, tokenName: subject };
  if (command === 'disable-staff') return { name: command, email: subject };
  if (!role) throw new UsageError(`${command} needs --role`);
  if (!STAFF_ROLES.includes(role as StaffRole)) throw new UsageError(`unknown role: ${role} (one of ${STAFF_ROLES.join(', ')})`);
  if (command === 'add-token') return { name: command, tokenName: subject, role: role as StaffRole };
  if (role === 'signup') throw new UsageError('signup is a service role for API tokens: use add-token');
  return { name: 'add-staff', email: subject, role: role as Exclude<StaffRole, 'signup'> };
}

async function run(sql: postgres.Sql, command: Command): Promise<number> {
  switch (command.name) {
    case 'add-staff': {
      const account = await createStaffAccount(sql, command.email, command.role);
      console.log(`Console account ${account.email} (${account.role})\n  password: ${account.password}`);
      return 0;
    }
    case 'add-token': {
      const token = await createApiToken(sql, command.tokenName, command.role);
      console.log(`API token ${token.name} (${token.role})\n  Authorization: Bearer ${token.token}`);
      return 0;
    }
    case 'revoke-token': {
      const result = await revokeApiToken(sql, command.tokenName);
      if (!result.found) {
        console.error(`No API token is named ${command.tokenName} (npm run staff -- list shows them).`);
        return 1;
      }
      console.log(`API token ${command.tokenName} ${result.alreadyRevoked ? 'was already revoked' : 'revoked'} (${when(result.revokedAt)}).`);
      return 0;
    }
    case 'disable-staff': {
      const result = await disableStaffAccount(sql, command.email);
      if (!result.found) {
        console.error(`No console account has the email ${command.email} (npm run staff -- list shows them).`);
        return 1;
      }
      console.log(
        `Console account ${command.email.toLowerCase()} ${result.alreadyDisabled ? 'was already disabled' : 'disabled'} (${when(result.disabledAt)}); ` +
          `${result.sessionsEnded} session${result.sessionsEnded === 1 ? '' : 's'} ended.`,
      );
      return 0;
    }
    case 'list': {
      const accounts = await sql<{ email: string; role: string; createdAt: Date; disabledAt: Date | null }[]>`
        SELECT email, role, created_at AS "createdAt", disabled_at AS "disabledAt" FROM staff_accounts ORDER BY created_at`;
      const tokens = await sql<{ name: string; role: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }[]>`
        SELECT name, role, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt" FROM api_tokens ORDER BY created_at`;
      console.log('Console accounts:');
      printTable(
        ['email', 'role', 'created', 'disabled'],
        accounts.map((a) => [a.email, a.role, when(a.createdAt), a.disabledAt ? when(a.disabledAt) : '']),
      );
      console.log('\nAPI tokens:');
      printTable(
        ['name', 'role', 'created', 'last used', 'revoked'],
        tokens.map((t) => [t.name, t.role, when(t.createdAt), t.lastUsedAt ? when(t.lastUsedAt) : '', t.revokedAt ? when(t.revokedAt) : '']),
      );
      return 0;
    }
  }
}

function when(date: Date | null): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function printTable(header: string[], rows: string[][]): void {
  if (rows.length === 0) return console.log('  (none)');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

const CONNECTION_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'the host name is not known',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'the connection timed out',
  CONNECT_TIMEOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  '28P01': 'the password was refused',
  '28000': 'the login was refused',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
};

/** A clear sentence for a failure to reach the registry, or null for any other error. */
function connectionProblem(err: unknown, source: RegistrySource): string | null {
  const codes: unknown[] = [];
  for (let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined; e && codes.length < 10; e = e.cause as typeof e) {
    codes.push(e.code);
    for (const inner of e.errors ?? []) codes.push((inner as { code?: unknown } | undefined)?.code);
  }
  const code = codes.find((c): c is string => typeof c === 'string' && c in CONNECTION_PROBLEMS);
  if (!code) return null;
  const hint =
    source.kind === 'url'
      ? 'Check DATABASE_URL and that its server is up.'
      : source.kind === 'running'
        ? 'Is the platform stopping? Try again once it has stopped or started.'
        : 'Check DATA_DIR and EMBEDDED_PG_PORT.';
  return `Cannot reach the registry at ${describeRegistrySource(source)}: ${CONNECTION_PROBLEMS[code]}. ${hint}`;
}

async function main(): Promise<number> {
  let command: Command | 'help';
  try {
    command = parseCommandLine(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const settings = loadSettings();
  const source = await registrySource(settings);
  let location: RegistryLocation | undefined;
  try {
    location = await locateRegistry(settings, undefined, source);
    const registry = openRegistry(location.registryUrl, { max: 1 });
    try {
      return await run(registry.sql, command);
    } finally {
      await registry.close();
    }
  } catch (err) {
    const problem = connectionProblem(err, source);
    if (!problem) throw err;
    console.error(problem);
    return 1;
  } finally {
    await location?.embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
