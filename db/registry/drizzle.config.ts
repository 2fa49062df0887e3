import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/registry/schema.ts',
  out: './db/registry/migrations',
});
