import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { startBenchPlatform } from './bench-platform';
import { deprovisioningLatency, provisioningLatency, provisioningThroughput } from './provisioning-figures';
import { createUnderLoad, searchLatency } from './api-figures';
import { describeMachine } from './machine';
import { benchSlug, tenantBody } from './provisioning-figures';
import { provisionDirectly } from './floor';
import { mintTenantId } from '../api/tenant-id';

/**
 * `npm run bench [-- --quick] [-- --only latency,throughput,api,search,deprovision]`:
 * measures the platform beside its floor in the same run, prints a table and writes it
 * with the machine's description to bench/results/<time>.json.
 */
const benchSettings = z.object({
  BENCH_DATA_DIR: z.string().default('.data/bench'),
  BENCH_PG_PORT: z.coerce.number().int().min(1).max(65535).default(56922),
  BENCH_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7922),
  BENCH_API_PORT: z.coerce.number().int().min(1).max(65535).default(3922),
  BENCH_FLOOR_API_PORT: z.coerce.number().int().min(1).max(65535).default(3923),
});

const FIGURES = ['latency', 'deprovision', 'throughput', 'api', 'search'] as const;
type Figure = (typeof FIGURES)[number];

function parseArgs(argv: string[]) {
  const flag = (name: string) => argv.includes(`--${name}`);
  const value = (name: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
  const quick = flag('quick');
  const only = value('only')?.split(',') as Figure[] | undefined;
  for (const f of only ?? []) if (!FIGURES.includes(f)) throw new Error(`--only takes ${FIGURES.join(',')}; not ${f}`);
  const num = (name: string, full: number, small: number) => Number(value(name) ?? (quick ? small : full));
  return {
    quick,
    figures: new Set<Figure>(only ?? FIGURES),
    sequential: num('sequential', 50, 10),
    burst: num('burst', 200, 40),
    parallelism: num('parallelism', 50, 50),
    requests: num('requests', 2000, 300),
    concurrency: num('concurrency', 50, 50),
    registry: num('registry', 100_000, 10_000),
    searches: num('searches', 500, 100),
    temporalInMemory: flag('temporal-in-memory'),
  };
}

interface Row {
  figure: string;
  value: number;
  floor: number | null;
  unit: string;
  goal: string;
  pass: boolean | null;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [
    r.figure,
    `${round(r.value)} ${r.unit}`,
    r.floor === null ? '' : `${round(r.floor)} ${r.unit}`,
    r.floor === null ? '' : `${round(r.value / r.floor, 2)}×`,
    r.goal,
    r.pass === null ? '' : r.pass ? 'pass' : 'FAIL',
  ]);
  const header = ['figure', 'value', 'floor', 'ratio', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const settings = benchSettings.parse(process.env);
  if (args.figures.has('deprovision')) args.figures.add('latency');
  const log = (line: string) => console.log(`[bench] ${line}`);
  const platform = await startBenchPlatform({
    dataDir: path.resolve(settings.BENCH_DATA_DIR),
    postgresPort: settings.BENCH_PG_PORT,
    temporalPort: settings.BENCH_TEMPORAL_PORT,
    apiPort: settings.BENCH_API_PORT,
    floorApiPort: settings.BENCH_FLOOR_API_PORT,
    ephemeralTemporal: args.temporalInMemory,
    log,
  });
  const machine = await describeMachine(platform.sql);
  log(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.postgres.split(' on ')[0]}, ${machine.temporal}`);
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  const errors: string[] = [];
  /** A figure that fails is reported, and the others are still measured. */
  const figure = async (name: string, measure: () => Promise<void>) => {
    try {
      await measure();
    } catch (err) {
      errors.push(`${name}: ${(err as Error).message}`);
      log(`${name} failed: ${(err as Error).message}`);
    }
  };
  try {
    // Warm-up: the worker's first workflows and the floor's first steps pay for JIT and caches.
    const warm = await platform.client('warm-up', 'signup');
    const warmIds = await Promise.all([1, 2, 3].map(async () => (await warm.request('POST', '/v1/tenants', tenantBody(benchSlug('warm')))).body.tenant.id as string));
    for (let i = 0; i < 3; i++) await provisionDirectly(platform.floorContext, { tenantId: mintTenantId(), ...tenantBody(benchSlug('warm-floor')), createdBy: 'bench:floor' });
    await waitActive(platform.sql, warmIds);

    let latency: Awaited<ReturnType<typeof provisioningLatency>> | undefined;
    if (args.figures.has('latency')) await figure('latency', async () => {
      log(`provisioning latency: ${args.sequential} tenants one after another (and the floor)`);
      latency = await provisioningLatency(platform, args.sequential);
      details.provisioningLatency = { platform: latency.platform, floor: latency.floor };
      rows.push(
        { figure: 'provisioning latency p50', value: latency.platform.p50, floor: latency.floor.p50, unit: 'ms', goal: '≤ 3× floor', pass: latency.platform.p50 <= 3 * latency.floor.p50 },
        { figure: 'provisioning latency p95', value: latency.platform.p95, floor: latency.floor.p95, unit: 'ms', goal: '', pass: null },
      );
    });
    if (args.figures.has('deprovision') && latency) await figure('deprovision', async () => {
      log(`de-provisioning latency: the same ${args.sequential} tenants one after another (and the floor)`);
      const d = await deprovisioningLatency(platform, latency!.platformTenants, latency!.floorTenants);
      details.deprovisioningLatency = d;
      rows.push(
        { figure: 'de-provisioning latency p50', value: d.platform.p50, floor: d.floor.p50, unit: 'ms', goal: '≤ 3× floor', pass: d.platform.p50 <= 3 * d.floor.p50 },
        { figure: 'de-provisioning latency p95', value: d.platform.p95, floor: d.floor.p95, unit: 'ms', goal: '', pass: null },
      );
    });
    if (args.figures.has('throughput')) await figure('throughput', async () => {
      log(`provisioning throughput: ${args.burst} tenants requested at once (floor: ${args.parallelism} at a time)`);
      const t = await provisioningThroughput(platform, args.burst, args.parallelism);
      details.provisioningThroughput = t;
      rows.push(
        { figure: `provisioning throughput (${args.burst} at once)`, value: t.tenantsPerSecond, floor: t.floorTenantsPerSecond, unit: 'tenants/s', goal: '≥ 0.5× floor', pass: t.tenantsPerSecond >= 0.5 * t.floorTenantsPerSecond },
        { figure: 'CPU time per tenant (all processes)', value: t.cpuMsPerTenant, floor: t.floorCpuMsPerTenant, unit: 'ms', goal: '', pass: null },
        { figure: 'peak memory, worker', value: t.peakWorkerMiB, floor: null, unit: 'MiB', goal: '', pass: null },
        { figure: 'peak memory, API', value: t.peakApiMiB, floor: null, unit: 'MiB', goal: '', pass: null },
      );
    });
    if (args.figures.has('api')) await figure('api', async () => {
      log(`POST /v1/tenants: ${args.requests} requests from ${args.concurrency} clients (worker stopped)`);
      await platform.worker.stop();
      const c = await createUnderLoad(platform, args.requests, args.concurrency);
      details.createUnderLoad = c;
      rows.push(
        { figure: `POST /v1/tenants p50 (${args.concurrency} clients)`, value: c.platform.p50, floor: c.floor.p50, unit: 'ms', goal: '', pass: null },
        { figure: `POST /v1/tenants p99 (${args.concurrency} clients)`, value: c.platform.p99, floor: c.floor.p99, unit: 'ms', goal: '< 50 ms', pass: c.platform.p99 < 50 },
      );
    });
    if (args.figures.has('search')) await figure('search', async () => {
      log(`GET /v1/tenants: ${args.searches} searches and ${args.searches} filters over ${args.registry} tenants`);
      const s = await searchLatency(platform, args.registry, args.searches);
      details.searchLatency = s;
      const n = s.registryTenants.toLocaleString('en');
      rows.push(
        { figure: `search p50 (${n} tenants)`, value: s.search.platform.p50, floor: s.search.floor.p50, unit: 'ms', goal: '', pass: null },
        { figure: `search p95 (${n} tenants)`, value: s.search.platform.p95, floor: s.search.floor.p95, unit: 'ms', goal: '< 20 ms', pass: s.search.platform.p95 < 20 },
        { figure: `filter p50 (${n} tenants)`, value: s.filter.platform.p50, floor: s.filter.floor.p50, unit: 'ms', goal: '', pass: null },
        { figure: `filter p95 (${n} tenants)`, value: s.filter.platform.p95, floor: s.filter.floor.p95, unit: 'ms', goal: '< 20 ms', pass: s.filter.platform.p95 < 20 },
      );
    });
  } finally {
    await platform.stop();
  }
  console.log('');
  printTable(rows);
  const at = new Date().toISOString();
  const file = path.join(__dirname, 'results', `${at.replace(/[:.]/g, '-')}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ at, args, machine, loadAverageAtEnd: os.loadavg(), rows, details, errors }, null, 2) + '\n');
  for (const e of errors) console.log(`error: ${e}`);
  console.log(`\n${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; node ${machine.node}; ${machine.postgres.split(' on ')[0]}; ${machine.temporal}; SDK ${machine.temporalSdk}`);
  console.log(`load average at start ${machine.loadAverageAtStart.join(', ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  console.log(`written to ${path.relative(process.cwd(), file)}`);
  process.exit(errors.length > 0 ? 1 : 0);
}

async function waitActive(sql: import('postgres').Sql, ids: string[]): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM tenants WHERE id IN ${sql(ids)} AND status = 'active'`;
    if (row!.n === ids.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('warm-up tenants did not become active');
}

main().catch((err) => {
  console.error('[bench] failed:', err);
  process.exit(1);
});
