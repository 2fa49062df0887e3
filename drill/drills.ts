import { randomBytes } from 'node:crypto';
import type { StepPhase } from '../activities/fault-injection';
import { PROVISIONING_STEPS, TEARDOWN_STEPS, type ProvisioningStep, type TeardownStep } from '../workflows/contract';
import type { DrillPlatform } from './drill-platform';

export interface DrillOutcome {
  /** What was checked, for the report. */
  detail: string;
  /** Tenants whose resources are counted afterwards, and what they must be. */
  tenants: { id: string; expect: 'active' | 'deleted' }[];
}

export interface Drill {
  name: string;
  run(p: DrillPlatform): Promise<DrillOutcome>;
}

type Tenant = { id: string; slug: string };

function createTenants(p: DrillPlatform, prefix: string, count: number): Promise<Tenant[]> {
  return createTenantsWithSlugs(p, Array.from({ length: count }, () => p.newSlug(prefix)));
}

/**
 * One tenant per step, each held in the middle of its step (`before`: the attempt is
 * recorded, its effects not yet made; `after`: its effects made, its completion not yet
 * recorded), then one SIGKILL of the worker lands in all of them at once. A fresh worker
 * must finish every tenant with nothing duplicated.
 */
export function killWorkerDuringProvisioning(steps: readonly ProvisioningStep[], phase: StepPhase): Drill {
  return {
    name: `SIGKILL the worker ${phase === 'before' ? 'as' : 'after'} ${steps.length === PROVISIONING_STEPS.length ? 'every provisioning step' : steps.join(', ')} ${phase === 'before' ? 'starts' : 'has acted'}`,
    async run(p) {
      const slugs = steps.map((step) => p.newSlug(`kp-${step.toLowerCase().slice(0, 12)}`));
      await p.worker.start(steps.map((step, i) => ({ step, slug: slugs[i]!, phase })));
      const tenants = await createTenantsWithSlugs(p, slugs);
      const held = await p.worker.waitForHolds(steps.length);
      await p.worker.kill();
      await p.worker.start();
      await p.waitForStatus(tenants.map((t) => t.id), 'active');
      await p.worker.stop();
      return {
        detail: `${held.length} tenants held in ${held.map((h) => h.step).join(', ')}; one SIGKILL; all active after restart`,
        tenants: tenants.map((t) => ({ id: t.id, expect: 'active' })),
      };
    },
  };
}

/** The same for teardown: active tenants, each de-provisioned and held in one teardown step. */
export function killWorkerDuringTeardown(steps: readonly TeardownStep[], phase: StepPhase): Drill {
  return {
    name: `SIGKILL the worker ${phase === 'before' ? 'as' : 'after'} ${steps.length === TEARDOWN_STEPS.length ? 'every teardown step' : steps.join(', ')} ${phase === 'before' ? 'starts' : 'has acted'}`,
    async run(p) {
      await p.worker.start();
      const tenants = await createTenants(p, 'kt', steps.length);
      await p.waitForStatus(tenants.map((t) => t.id), 'active');
      await p.worker.stop();
      await p.worker.start(steps.map((step, i) => ({ step, slug: tenants[i]!.slug, phase })));
      // At once: each answer leaves with the workflow task its held step keeps open (until
      // the SDK heartbeats the task, about 10 s), so one after another would take a minute.
      await Promise.all(tenants.map((t) => p.deprovision(t)));
      const held = await p.worker.waitForHolds(steps.length);
      await p.worker.kill();
      await p.worker.start();
      await p.waitForStatus(tenants.map((t) => t.id), 'deleted');
      await p.worker.stop();
      return {
        detail: `${held.length} tenants held in ${held.map((h) => h.step).join(', ')}; one SIGKILL; all deleted after restart`,
        tenants: tenants.map((t) => ({ id: t.id, expect: 'deleted' })),
      };
    },
  };
}

/**
 * Temporal goes away while a step is running and comes back on the same SQLite file: the
 * step finishes while the server is down, so its completion cannot be reported and the
 * workflow must pick up from what the server had recorded.
 */
export function restartTemporalMidProvisioning(downMs = 3000): Drill {
  return {
    name: 'stop the Temporal dev server mid-provisioning, start it again on the same file',
    async run(p) {
      const slug = p.newSlug('temporal');
      await p.worker.start([{ step: 'migrate', slug, phase: 'before' }]);
      const [tenant] = await createTenantsWithSlugs(p, [slug]);
      await p.worker.waitForHolds(1);
      await p.services.stopTemporal();
      p.worker.release();
      // A signup while Temporal is down is still accepted, and provisioned once it is back.
      const [during] = await createTenantsWithSlugs(p, [p.newSlug('during-outage')]);
      await sleep(downMs);
      await p.services.startTemporal();
      await p.waitForStatus([tenant!.id, during!.id], 'active');
      const exits = p.worker.unexpectedExits;
      await p.worker.stop();
      return {
        detail: `Temporal down ${downMs / 1000} s during the migrate step, a signup accepted meanwhile; both active afterwards${exits ? `; the worker died ${exits} time(s) and was restarted` : '; the worker rode it out'}`,
        tenants: [
          { id: tenant!.id, expect: 'active' },
          { id: during!.id, expect: 'active' },
        ],
      };
    },
  };
}

/** PostgreSQL (registry and tenant server) goes away while a step runs and comes back. */
export function restartPostgresMidStep(downMs = 3000): Drill {
  return {
    name: 'stop PostgreSQL in the middle of a step, start it again',
    async run(p) {
      const slug = p.newSlug('postgres');
      await p.worker.start([{ step: 'seed', slug, phase: 'before' }]);
      const [tenant] = await createTenantsWithSlugs(p, [slug]);
      await p.worker.waitForHolds(1);
      await p.services.stopPostgres();
      p.worker.release(); // the step now runs against a server that is down, and fails
      await sleep(downMs);
      await p.services.startPostgres();
      await p.waitForStatus([tenant!.id], 'active');
      const [row] = await p.sql<{ attempts: number }[]>`SELECT attempts FROM step_runs WHERE tenant_id = ${tenant!.id} AND step = 'seed'`;
      await p.worker.stop();
      return {
        detail: `PostgreSQL down ${downMs / 1000} s as the seed step ran; active afterwards; seed took ${row?.attempts ?? '?'} attempts`,
        tenants: [{ id: tenant!.id, expect: 'active' }],
      };
    },
  };
}

/** One signup sent twice (and ten times at once) with one Idempotency-Key; 20 creates of one slug at once. */
export function duplicateSignups(): Drill {
  return {
    name: 'double-submitted signups and 20 concurrent creates of one slug',
    async run(p) {
      await p.worker.start();
      const problems: string[] = [];
      const key = `drill-${randomBytes(6).toString('hex')}`;
      const slug = p.newSlug('twice');
      const first = await p.createTenant(slug, { 'idempotency-key': key });
      const second = await p.createTenant(slug, { 'idempotency-key': key });
      if (first.status !== 202 || second.status !== 202) problems.push(`same key twice answered ${first.status}, ${second.status}`);
      if (JSON.stringify(first.body) !== JSON.stringify(second.body)) problems.push('same key twice gave two different answers');

      const burstKey = `drill-${randomBytes(6).toString('hex')}`;
      const burstSlug = p.newSlug('burst');
      const burst = await Promise.all(Array.from({ length: 10 }, () => p.createTenant(burstSlug, { 'idempotency-key': burstKey })));
      if (new Set(burst.map((b) => JSON.stringify([b.status, b.body]))).size !== 1) problems.push('10 concurrent requests with one key did not all get the same answer');

      const raceSlug = p.newSlug('race');
      const race = await Promise.all(Array.from({ length: 20 }, () => p.createTenant(raceSlug)));
      const created = race.filter((r) => r.status === 202);
      const refused = race.filter((r) => r.status === 409);
      if (created.length !== 1 || refused.length !== 19) problems.push(`20 racing creates: ${created.length} created, ${refused.length} refused, others ${race.filter((r) => r.status !== 202 && r.status !== 409).map((r) => r.status)}`);

      const [counts] = await p.sql<{ twice: number; burst: number; race: number }[]>`
        SELECT count(*) FILTER (WHERE slug = ${slug})::int AS twice, count(*) FILTER (WHERE slug = ${burstSlug})::int AS burst,
               count(*) FILTER (WHERE slug = ${raceSlug})::int AS race FROM tenants`;
      if (counts!.twice !== 1 || counts!.burst !== 1 || counts!.race !== 1) problems.push(`tenants per slug: ${JSON.stringify(counts)}`);
      if (problems.length > 0) throw new Error(problems.join('; '));

      const tenants = [first.body.tenant.id as string, burst[0]!.body.tenant.id as string, created[0]!.body.tenant.id as string];
      await p.waitForStatus(tenants, 'active');
      const workflows = await Promise.all(tenants.map(async (id) => (await p.client.workflow.count(`TenantId = '${id}'`)).count));
      await p.worker.stop();
      return {
        detail: `same key twice: one tenant, identical answers; 10 at once with one key: one tenant; 20 racing creates: 1 × 202, 19 × 409; workflows per tenant ${workflows.join(', ')}`,
        tenants: tenants.map((id) => ({ id, expect: 'active' })),
      };
    },
  };
}

async function createTenantsWithSlugs(p: DrillPlatform, slugs: string[]): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  for (const slug of slugs) {
    const res = await p.createTenant(slug);
    if (res.status !== 202) throw new Error(`create ${slug} answered ${res.status}: ${JSON.stringify(res.body)}`);
    tenants.push({ id: res.body.tenant.id, slug });
  }
  return tenants;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
