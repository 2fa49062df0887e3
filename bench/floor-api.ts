import express from 'express';
import postgres from 'postgres';
import { randomUUID } from 'node:crypto';

/**
 * The floor for `POST /v1/tenants`: Express 5 and postgres.js answering a JSON POST with
 * one INSERT, nothing else. Run as its own process, like the API.
 */
async function main() {
  const sql = postgres(process.env.DATABASE_URL!, { max: 20, onnotice: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS bench_floor_posts (id uuid PRIMARY KEY, name text NOT NULL, slug text NOT NULL, plan text NOT NULL, admin_email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`;
  const app = express();
  app.use(express.json({ limit: '16kb' }));
  app.post('/v1/tenants', async (req, res) => {
    const b = req.body as { name: string; slug: string; plan: string; adminEmail: string };
    const [row] = await sql`INSERT INTO bench_floor_posts (id, name, slug, plan, admin_email) VALUES (${randomUUID()}, ${b.name}, ${b.slug}, ${b.plan}, ${b.adminEmail}) RETURNING id, created_at`;
    res.status(202).json({ tenant: row });
  });
  const port = Number(process.env.API_PORT);
  app.listen(port, '127.0.0.1', () => console.log(`[floor-api] listening on ${port}`));
  process.once('SIGTERM', () => void sql.end({ timeout: 2 }).then(() => process.exit(0)));
}

void main();
