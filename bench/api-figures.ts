import type postgres from 'postgres';
import { listTenants } from '../api/tenant-queries';
import { listTenantsSchema } from '../api/tenant-input';
import type { BenchPlatform } from './bench-platform';
import { benchSlug, tenantBody } from './provisioning-figures';
import { distribution, inParallel, since, type Distribution } from './stats';
import type { JsonClient } from './http-client';

/** The API starts accepted tenants' workflows in the background; the next figure must not measure that. */
async function untilWorkflowsStarted(sql: postgres.Sql): Promise<void> {
  for (;;) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM workflow_starts`;
    if (row!.n === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Timed requests from `concurrency` clients at once; every answer must be `expect`. */
async function load(client: JsonClient, requests: number, concurrency: number, expect: number, make: () => [string, string, unknown?]): Promise<number[]> {
  const times: number[] = [];
  await inParallel(requests, concurrency, async () => {
    const [method, path, body] = make();
    const start = performance.now();
    const res = await client.request(method, path, body);
    times.push(since(start));
    if (res.status !== expect) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  });
  return times;
}

/**
 * Figure 3a: `POST /v1/tenants` latency at `concurrency` clients. The worker is stopped
 * first, so the figure is the API's own (validation, registry transaction, workflow
 * start), not the API competing with provisioning for two cores. The floor is Express
 * with one INSERT (bench/floor-api.ts) under the same load.
 */
export async function createUnderLoad(p: BenchPlatform, requests: number, concurrency: number): Promise<{ platform: Distribution; floor: Distribution }> {
  const client = await p.client('api-create', 'signup');
  const post = (): [string, string, unknown] => ['POST', '/v1/tenants', tenantBody(benchSlug('api'))];
  await load(client, Math.min(100, requests), concurrency, 202, post); // warm-up
  const platform = distribution(await load(client, requests, concurrency, 202, post));
  await untilWorkflowsStarted(p.sql);

  await p.floorApi.start(/listening on/);
  const floorClient = await p.client('api-floor', 'signup', p.floorApiUrl);
  await load(floorClient, Math.min(100, requests), concurrency, 202, post);
  const floor = distribution(await load(floorClient, requests, concurrency, 202, post));
  await p.floorApi.stop();
  return { platform, floor };
}

const WORDS = [
  'acme', 'northwind', 'contoso', 'globex', 'initech', 'umbrella', 'stark', 'wayne', 'wonka', 'hooli', 'vandelay', 'dunder',
  'tyrell', 'cyberdyne', 'soylent', 'aperture', 'massive', 'pied', 'piper', 'oceanic', 'gringotts', 'monarch', 'nakatomi', 'virtucon',
  'blue', 'green', 'red', 'silver', 'golden', 'rapid', 'bright', 'happy', 'river', 'mountain', 'harbor', 'valley', 'summit', 'prairie',
];
const SUFFIXES = ['support', 'labs', 'systems', 'logistics', 'health', 'retail', 'foods', 'media', 'energy', 'travel'];

/** Fills the registry up to `total` tenants with plausible names, statuses and plans, spread over a year. */
export async function seedRegistry(sql: postgres.Sql, total: number): Promise<number> {
  const [{ n }] = (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM tenants`) as unknown as [{ n: number }];
  const missing = Math.max(0, total - n);
  if (missing > 0) {
    await sql`
      INSERT INTO tenants (id, name, slug, plan, admin_email, created_by, status, created_at, updated_at)
      SELECT gen_random_uuid(),
             initcap(w.words[1 + (i * 7) % ${WORDS.length}]) || ' ' || initcap(w.words[1 + (i * 13) % ${WORDS.length}]) || ' ' ||
               initcap(w.suffixes[1 + i % ${SUFFIXES.length}]) || ' ' || i,
             w.words[1 + (i * 7) % ${WORDS.length}] || '-' || w.words[1 + (i * 13) % ${WORDS.length}] || '-' || i,
             (ARRAY['free', 'team', 'team', 'business', 'enterprise'])[1 + abs(hashint4(i)) % 5],
             'owner' || i || '@example.com', 'bench:seed',
             ((ARRAY['active', 'active', 'active', 'active', 'active', 'active', 'suspended', 'deleted', 'failed', 'provisioning'])[1 + abs(hashint4(i + 7919)) % 10])::tenant_status,
             now() - (i % 525600) * interval '1 minute', now()
      FROM generate_series(1, ${missing}::int) AS i,
           (SELECT ${sql.array(WORDS)}::text[] AS words, ${sql.array(SUFFIXES)}::text[] AS suffixes) AS w`;
    await sql`ANALYZE tenants`;
  }
  return n + missing;
}

/** Search by substring (rare to common) and filter by status and plan, as the console does. */
const SEARCHES = ['acme', 'northwind hooli', 'zzz-no-such-tenant', 'summit', 'labs', '12345', 'piper', 'bench', 'gold', 'vandelay-'];
const FILTERS = ['status=active', 'status=suspended&plan=business', 'plan=enterprise', 'status=failed', 'status=active&plan=team&q=river', ''];

/**
 * Figure 3b: `GET /v1/tenants` search and filter latency over a registry of `total`
 * tenants, one client. The floor is the same query (api/tenant-queries.ts) run directly.
 */
export async function searchLatency(p: BenchPlatform, total: number, requests: number) {
  const client = await p.client('api-search', 'viewer');
  const queries = (list: string[]) => list.map((q) => (q.includes('=') || q === '' ? q : `q=${encodeURIComponent(q)}`));
  const measure = async (list: string[]) => {
    const qs = queries(list);
    let i = 0;
    await load(client, qs.length * 3, 1, 200, () => ['GET', `/v1/tenants?${qs[i++ % qs.length]}`]); // warm-up
    i = 0;
    const platform = distribution(await load(client, requests, 1, 200, () => ['GET', `/v1/tenants?${qs[i++ % qs.length]}`]));
    const floorTimes: number[] = [];
    for (let k = 0; k < requests; k++) {
      const query = listTenantsSchema.parse(Object.fromEntries(new URLSearchParams(qs[k % qs.length])));
      const start = performance.now();
      await listTenants(p.sql, query);
      floorTimes.push(since(start));
    }
    return { platform, floor: distribution(floorTimes) };
  };
  await untilWorkflowsStarted(p.sql);
  const seeded = await seedRegistry(p.sql, total);
  return { registryTenants: seeded, search: await measure(SEARCHES), filter: await measure(FILTERS) };
}
