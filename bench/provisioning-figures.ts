import type postgres from 'postgres';
import { mintTenantId } from '../api/tenant-id';
import type { TenantIdentity } from '../workflows/contract';
import type { BenchPlatform } from './bench-platform';
import { deprovisionDirectly, provisionDirectly } from './floor';
import { distribution, inParallel, since, type Distribution } from './stats';

export interface BenchTenant {
  id: string;
  slug: string;
}

let counter = 0;
const runTag = Date.now().toString(36).slice(-4);

export function benchSlug(prefix: string): string {
  counter += 1;
  return `${prefix}-${runTag}-${counter}`;
}

export function tenantBody(slug: string) {
  return { name: `Bench ${slug}`, slug, plan: 'team', adminEmail: `owner@${slug}.example.com` };
}

function floorIdentity(slug: string): TenantIdentity {
  return { tenantId: mintTenantId(), ...tenantBody(slug), createdBy: 'bench:floor' };
}

/** Polls the registry (a primary-key read every 5 ms) until the tenant has `status`. */
async function untilStatus(sql: postgres.Sql, tenantId: string, status: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<{ status: string; failedStep: string | null }[]>`SELECT status, failed_step AS "failedStep" FROM tenants WHERE id = ${tenantId}`;
    if (row?.status === status) return;
    if (row?.status === 'failed') throw new Error(`tenant ${tenantId} failed at ${row.failedStep}`);
    if (Date.now() > deadline) throw new Error(`tenant ${tenantId} not ${status} after ${timeoutMs / 1000} s (is ${row?.status})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function untilAllStatus(sql: postgres.Sql, ids: string[], status: string, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql<{ done: number; failed: number }[]>`
      SELECT count(*) FILTER (WHERE status = ${status})::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM tenants WHERE id IN ${sql(ids)}`;
    if (row!.failed > 0) throw new Error(`${row!.failed} tenants failed`);
    if (row!.done === ids.length) return;
    if (Date.now() > deadline) throw new Error(`${ids.length - row!.done} tenants not ${status} after ${timeoutMs / 1000} s`);
    // Coarse: over a run of a minute, 100 ms is noise, and polling faster costs the database time the platform is charged for.
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface LatencyResult {
  platform: Distribution;
  floor: Distribution;
  platformTenants: BenchTenant[];
  floorTenants: TenantIdentity[];
}

/** Figure 1: POST /v1/tenants to `active`, one tenant after another; the floor likewise. */
export async function provisioningLatency(p: BenchPlatform, count: number): Promise<LatencyResult> {
  const floorTimes: number[] = [];
  const floorTenants: TenantIdentity[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = floorIdentity(benchSlug('floor'));
    const start = performance.now();
    await provisionDirectly(p.floorContext, tenant);
    floorTimes.push(since(start));
    floorTenants.push(tenant);
  }
  const client = await p.client('latency', 'signup');
  const times: number[] = [];
  const tenants: BenchTenant[] = [];
  for (let i = 0; i < count; i++) {
    const slug = benchSlug('lat');
    const start = performance.now();
    const res = await client.request('POST', '/v1/tenants', tenantBody(slug));
    if (res.status !== 202) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
    await untilStatus(p.sql, res.body.tenant.id, 'active');
    times.push(since(start));
    tenants.push({ id: res.body.tenant.id, slug });
  }
  return { platform: distribution(times), floor: distribution(floorTimes), platformTenants: tenants, floorTenants };
}

/** Figure 4: de-provisioning, request to `deleted`, one tenant after another; the floor's teardown steps likewise. */
export async function deprovisioningLatency(p: BenchPlatform, tenants: BenchTenant[], floorTenants: TenantIdentity[]) {
  const floorTimes: number[] = [];
  for (const tenant of floorTenants) {
    const start = performance.now();
    await deprovisionDirectly(p.floorContext, tenant);
    floorTimes.push(since(start));
  }
  const client = await p.client('deprovision', 'admin');
  const times: number[] = [];
  for (const t of tenants) {
    const start = performance.now();
    const res = await client.request('POST', `/v1/tenants/${t.id}/deprovision`, { confirmSlug: t.slug });
    if (res.status !== 202) throw new Error(`deprovision answered ${res.status}: ${JSON.stringify(res.body)}`);
    await untilStatus(p.sql, t.id, 'deleted');
    times.push(since(start));
  }
  return { platform: distribution(times), floor: distribution(floorTimes) };
}

export interface ThroughputResult {
  /** CPU time of every process involved (worker, API, Temporal, PostgreSQL, this one), per tenant. */
  cpuMsPerTenant: number;
  floorCpuMsPerTenant: number;
  cpuSeconds: Record<string, number>;
  floorCpuSeconds: Record<string, number>;
  tenantsPerSecond: number;
  floorTenantsPerSecond: number;
  seconds: number;
  floorSeconds: number;
  peakWorkerMiB: number;
  peakApiMiB: number;
}

/**
 * Figure 2: `count` creates sent at once, tenants per second until all are active, and
 * the worker's and API's peak memory meanwhile. The floor provisions as many with
 * `parallelism` at a time: the worker's activity slots.
 */
export async function provisioningThroughput(p: BenchPlatform, count: number, parallelism: number): Promise<ThroughputResult> {
  const floorCpu0 = p.cpuSeconds();
  const floorStart = performance.now();
  await inParallel(count, parallelism, async () => provisionDirectly(p.floorContext, floorIdentity(benchSlug('floor-tp'))));
  const floorSeconds = since(floorStart) / 1000;
  const floorCpu = cpuDelta(floorCpu0, p.cpuSeconds());

  const client = await p.client('throughput', 'signup');
  p.worker.resetPeakMemory();
  p.api.resetPeakMemory();
  const cpu0 = p.cpuSeconds();
  const start = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, () => client.request('POST', '/v1/tenants', tenantBody(benchSlug('tp')))));
  const refused = answers.filter((a) => a.status !== 202);
  if (refused.length > 0) throw new Error(`${refused.length} creates refused, e.g. ${refused[0]!.status} ${JSON.stringify(refused[0]!.body)}`);
  await untilAllStatus(p.sql, answers.map((a) => a.body.tenant.id as string), 'active');
  const seconds = since(start) / 1000;
  const cpu = cpuDelta(cpu0, p.cpuSeconds());
  return {
    cpuMsPerTenant: (cpu.total * 1000) / count,
    floorCpuMsPerTenant: (floorCpu.total * 1000) / count,
    cpuSeconds: cpu,
    floorCpuSeconds: floorCpu,
    tenantsPerSecond: count / seconds,
    floorTenantsPerSecond: count / floorSeconds,
    seconds,
    floorSeconds,
    peakWorkerMiB: p.worker.peakMemoryMiB(),
    peakApiMiB: p.api.peakMemoryMiB(),
  };
}

function cpuDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> & { total: number } {
  const delta: Record<string, number> = {};
  let total = 0;
  for (const key of Object.keys(after)) {
    delta[key] = Math.round((after[key]! - (before[key] ?? 0)) * 100) / 100;
    total += delta[key]!;
  }
  return Object.assign(delta, { total: Math.round(total * 100) / 100 });
}
