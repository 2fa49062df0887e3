import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';

/**
 * The registry's schema lives in schema.ts and its migrations are drizzle-kit's; queries
 * use postgres.js directly, since wrapping a client in drizzle() replaces its JSON and
 * date handling (`sql.json` stops working on it).
 */
export interface Registry {
  sql: postgres.Sql;
  close(): Promise<void>;
}

export function openRegistry(url: string, opts: { max?: number } = {}): Registry {
  const sql = postgres(url, { max: opts.max ?? 10, onnotice: () => {} });
  return { sql, close: () => sql.end({ timeout: 5 }) };
}

/** Applies the committed drizzle-kit migrations; already-applied ones are skipped. */
export async function migrateRegistry(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrate(drizzle(sql), { migrationsFolder: path.join(__dirname, 'migrations') });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Creates a database on the server of `adminUrl` if it is missing (used for the embedded registry). */
export async function ensureDatabaseExists(adminUrl: string, name: string): Promise<string> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`SELECT 1 AS present FROM pg_database WHERE datname = ${name}`;
    if (!row) {
      await sql.unsafe(`CREATE DATABASE ${quoteIdent(name)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently: fine
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return withDatabase(adminUrl, name);
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
