import { parseArgs } from 'node:util';
import { loadSettings } from '../config/settings';
import { openRegistry } from '../db/registry/connect';
import { STAFF_ROLES, type StaffRole } from '../db/registry/schema';
import { createApiToken, createStaffAccount } from '../api/auth/credential-store';
import { locateRegistry } from './registry-access';

const USAGE = `Staff credentials (works whether or not the platform is running):
  npm run staff -- add-staff <email> --role viewer|operator|admin   create a console account, or reset its password
  npm run staff -- add-token <name> --role viewer|operator|admin|signup   mint an API bearer token (replaces one of that name)
  npm run staff -- list                                              accounts and tokens (never their secrets)
The password or token is printed once; only its hash is stored.`;

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { role: { type: 'string' } } });
  const [command, name] = positionals;
  const role = values.role as StaffRole | undefined;
  if (!command || (command !== 'list' && (!name || !role || !STAFF_ROLES.includes(role)))) {
    console.error(USAGE);
    process.exit(2);
  }
  const location = await locateRegistry(loadSettings());
  const registry = openRegistry(location.registryUrl, { max: 1 });
  try {
    if (command === 'add-staff') {
      if (role === 'signup') throw new Error('signup is a service role: use add-token');
      const account = await createStaffAccount(registry.sql, name!, role!);
      console.log(`Console account ${account.email} (${account.role})\n  password: ${account.password}`);
    } else if (command === 'add-token') {
      const token = await createApiToken(registry.sql, name!, role!);
      console.log(`API token ${token.name} (${token.role})\n  Authorization: Bearer ${token.token}`);
    } else if (command === 'list') {
      console.table(await registry.sql`SELECT email, role, created_at, disabled_at FROM staff_accounts ORDER BY created_at`);
      console.table(await registry.sql`SELECT name, role, created_at, last_used_at, revoked_at FROM api_tokens ORDER BY created_at`);
    } else {
      console.error(USAGE);
      process.exitCode = 2;
    }
  } finally {
    await registry.close();
    await location.embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
