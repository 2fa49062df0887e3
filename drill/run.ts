import path from 'node:path';
import { z } from 'zod';
import { PROVISIONING_STEPS, TEARDOWN_STEPS } from '../workflows/contract';
import { startDrillPlatform, type DrillPlatform } from './drill-platform';
import {
  duplicateSignups,
  killWorkerDuringProvisioning,
  killWorkerDuringTeardown,
  restartPostgresMidStep,
  restartTemporalMidProvisioning,
  type Drill,
} from './drills';

/**
 * `npm run drill [-- --short] [-- --only <text>]`: breaks a local platform on purpose and
 * checks that every tenant still ends where it should, with exactly one of each resource,
 * and that the reconciliation check finds nothing afterwards.
 */
const drillSettings = z.object({
  DRILL_DATA_DIR: z.string().default('.data/drill'),
  DRILL_PG_PORT: z.coerce.number().int().min(1).max(65535).default(56911),
  DRILL_TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7911),
  /** 0: any free port. */
  DRILL_API_PORT: z.coerce.number().int().min(0).max(65535).default(0),
});

function drillsFor(short: boolean): Drill[] {
  if (short) {
    return [
      killWorkerDuringProvisioning(['createDatabase', 'seed'], 'after'),
      killWorkerDuringTeardown(['dropDatabase'], 'after'),
      duplicateSignups(),
    ];
  }
  return [
    killWorkerDuringProvisioning(PROVISIONING_STEPS, 'before'),
    killWorkerDuringProvisioning(PROVISIONING_STEPS, 'after'),
    killWorkerDuringTeardown(TEARDOWN_STEPS, 'before'),
    killWorkerDuringTeardown(TEARDOWN_STEPS, 'after'),
    restartTemporalMidProvisioning(),
    restartPostgresMidStep(),
    duplicateSignups(),
  ];
}

interface Result {
  name: string;
  ok: boolean;
  seconds: number;
  detail: string;
}

async function runDrill(p: DrillPlatform, drill: Drill): Promise<Result> {
  const started = Date.now();
  try {
    const outcome = await drill.run(p);
    const problems = await p.resourceProblems(outcome.tenants);
    const report = await p.reconciliation();
    problems.push(...report.findings.map((f) => `reconciliation: ${f.problem} ${f.resource} ${f.name ?? ''} (${f.tenantId ?? 'no tenant'}): ${f.reason}`));
    const ok = problems.length === 0;
    const detail = ok
      ? `${outcome.detail}; resources counted (active: exactly one database, role, directory, route and address; deleted: none left); reconciliation clean (${report.scanned.tenants} tenants)`
      : problems.join('\n      ');
    return { name: drill.name, ok, seconds: (Date.now() - started) / 1000, detail };
  } catch (err) {
    await p.worker.stop().catch(() => {});
    return { name: drill.name, ok: false, seconds: (Date.now() - started) / 1000, detail: err instanceof Error ? err.message : String(err) };
  }
}

async function main() {
  const args = process.argv.slice(2);
  const short = args.includes('--short');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const settings = drillSettings.parse(process.env);
  const drills = drillsFor(short).filter((d) => !only || d.name.includes(only));
  const log = (line: string) => console.log(`[drill] ${line}`);
  log(`${short ? 'short' : 'full'} form: ${drills.length} drills; PostgreSQL :${settings.DRILL_PG_PORT}, Temporal :${settings.DRILL_TEMPORAL_PORT}, data ${settings.DRILL_DATA_DIR}`);
  const started = Date.now();
  const platform = await startDrillPlatform({
    dataDir: path.resolve(settings.DRILL_DATA_DIR),
    postgresPort: settings.DRILL_PG_PORT,
    temporalPort: settings.DRILL_TEMPORAL_PORT,
    apiPort: settings.DRILL_API_PORT,
    log,
  });
  const results: Result[] = [];
  try {
    for (const drill of drills) {
      log(`${drill.name} …`);
      const result = await runDrill(platform, drill);
      results.push(result);
      log(`${result.ok ? 'PASS' : 'FAIL'} ${result.name} (${result.seconds.toFixed(1)} s)\n      ${result.detail}`);
    }
  } finally {
    await platform.stop();
  }
  const passed = results.filter((r) => r.ok).length;
  console.log('\nFault drills');
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.seconds.toFixed(1).padStart(6)} s  ${r.name}`);
  console.log(`\n${((Date.now() - started) / 1000).toFixed(0)} s; worker log in ${path.join(settings.DRILL_DATA_DIR, 'logs', 'worker.log')}`);
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exit(passed === results.length ? 0 : 1);
}

main().catch((err) => {
  console.error('[drill] could not run:', err);
  process.exit(1);
});
