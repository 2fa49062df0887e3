import { defineConfig } from 'drizzle-kit';

// Paths are relative to the repo root, where `npm run db:generate` runs drizzle-kit.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/tenant/schema.ts',
  out: './db/tenant/migrations',
});
