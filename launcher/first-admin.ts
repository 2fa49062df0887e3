import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { openRegistry } from '../db/registry/connect';
import { createStaffAccount, hasAdmin } from '../api/auth/credential-store';

export const FIRST_ADMIN_EMAIL = 'admin@actionconnect.local';

/**
 * On a registry with no admin, makes one with a generated password, so that a fresh
 * `npm start` can be signed in to. The password is shown once and kept in a 0600 file
 * under the data folder; only its hash is in the registry.
 */
export async function bootstrapFirstAdmin(registryUrl: string, dataDir: string) {
  const registry = openRegistry(registryUrl, { max: 1 });
  try {
    if (await hasAdmin(registry.sql)) return null;
    const account = await createStaffAccount(registry.sql, FIRST_ADMIN_EMAIL, 'admin');
    const file = path.join(dataDir, 'first-admin.txt');
    await writeFile(file, `email ${account.email}\npassword ${account.password}\n`, { mode: 0o600 });
    return { email: account.email, password: account.password, file };
  } finally {
    await registry.close();
  }
}
