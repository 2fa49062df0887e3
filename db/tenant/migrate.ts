import path from 'node:path';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import * as schema from './schema';

export type TenantDb = PostgresJsDatabase<typeof schema>;

/** drizzle-kit SQL files generated from ./schema.ts (`npm run db:generate`). */
export const TENANT_MIGRATIONS_FOLDER = path.join(__dirname, 'migrations');

/**
 * Applies the pending tenant schema migrations. Already-applied ones are skipped (Drizzle
 * records them in `drizzle.__drizzle_migrations`), so re-running is a no-op and a retried
 * provisioning step is safe. All pending migrations run in one transaction.
 *
 * Must work connected as the tenant's own login role, which owns the database but is no
 * superuser: the migrations therefore use only core features (no CREATE EXTENSION).
 *
 * Not safe to run twice at the same instant on one database: the loser fails on "already
 * exists" and rolls back, and its retry then finds nothing to do. The tenant workflow is
 * the single writer, so that only happens with an overlapping retry.
 */
export async function migrateTenantDatabase(sql: postgres.Sql): Promise<void> {
  await withTenantDb(sql, (db) => migrate(db, { migrationsFolder: TENANT_MIGRATIONS_FOLDER }));
}

// Type oids drizzle's postgres-js driver overrides on the client it is given.
const DRIZZLE_PARSER_OIDS = [1184, 1082, 1083, 1114, 1182, 1185, 1115, 1231];
const DRIZZLE_SERIALIZER_OIDS = [...DRIZZLE_PARSER_OIDS, 114, 3802];

/**
 * Runs `fn` with a Drizzle database over the caller's postgres.js client.
 *
 * `drizzle(sql)` swaps the client's date and json parsers/serializers for pass-through ones
 * (Drizzle maps those values itself) and never puts them back, so afterwards the caller's own
 * queries would get timestamps as strings. We restore them when `fn` settles.
 */
export async function withTenantDb<T>(sql: postgres.Sql, fn: (db: TenantDb) => Promise<T>): Promise<T> {
  const { parsers, serializers } = sql.options;
  const savedParsers = DRIZZLE_PARSER_OIDS.map((oid) => [oid, parsers[oid]] as const);
  const savedSerializers = DRIZZLE_SERIALIZER_OIDS.map((oid) => [oid, serializers[oid]] as const);
  try {
    return await fn(drizzle(sql, { schema }));
  } finally {
    for (const [oid, parser] of savedParsers) restore(parsers, oid, parser);
    for (const [oid, serializer] of savedSerializers) restore(serializers, oid, serializer);
  }
}

function restore(table: Record<number, (value: unknown) => unknown>, oid: number, fn: ((value: unknown) => unknown) | undefined): void {
  if (fn) table[oid] = fn;
  else delete table[oid];
}
