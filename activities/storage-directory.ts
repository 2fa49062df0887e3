import { lstat, mkdir, readFile, rename, rm, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ownershipMarkOf, storageDirOf } from './naming';

/** The marker file that says which tenant a storage directory belongs to. */
export const STORAGE_MARKER = '.actionconnect-tenant';
const SUBFOLDERS = ['attachments', 'exports', 'branding'];

export type StorageOwnership = 'absent' | 'ours' | 'foreign';

export async function inspectStorage(storageRoot: string, tenantId: string): Promise<StorageOwnership> {
  const dir = storageDirOf(storageRoot, tenantId);
  let entry;
  try {
    entry = await lstat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    // ENOTDIR: the storage root itself is not a directory. That is the platform's own
    // misconfiguration, not someone else's resource: an ordinary, retryable error.
    throw new Error(`storage root ${storageRoot} is not usable: ${(err as Error).message}`);
  }
  if (!entry.isDirectory()) return 'foreign';
  try {
    const marker = await readFile(path.join(dir, STORAGE_MARKER), 'utf8');
    return marker.trim() === ownershipMarkOf(tenantId) ? 'ours' : 'foreign';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'foreign';
    throw err;
  }
}

/**
 * Builds the directory with its marker under a temporary name and renames it into
 * place, so the final path never exists without its mark.
 */
export async function createStorage(storageRoot: string, tenantId: string): Promise<void> {
  const dir = storageDirOf(storageRoot, tenantId);
  const staging = path.join(storageRoot, `.staging-${tenantId}-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { recursive: true });
  try {
    for (const sub of SUBFOLDERS) await mkdir(path.join(staging, sub));
    await writeFile(path.join(staging, STORAGE_MARKER), ownershipMarkOf(tenantId) + '\n');
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err; // otherwise: someone else's directory won the race
  }
}

/** Removes the tenant's directory and any staging leftovers of crashed attempts. */
export async function removeStorage(storageRoot: string, tenantId: string): Promise<void> {
  await rm(storageDirOf(storageRoot, tenantId), { recursive: true, force: true });
  await removeStagingLeftovers(storageRoot, tenantId);
}

/** Staging directories of attempts that died before their rename (each attempt names its own). */
export async function removeStagingLeftovers(storageRoot: string, tenantId: string): Promise<void> {
  const entries = await readdir(storageRoot).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(`.staging-${tenantId}-`))) {
    await rm(path.join(storageRoot, entry), { recursive: true, force: true });
  }
}
