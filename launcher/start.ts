import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadSettings } from '../config/settings';
import { loadSecretKey } from '../config/secret-box';
import type { EmbeddedPostgres } from '../db/embedded-postgres';
import { locateRegistry } from './registry-access';
import { bootstrapFirstAdmin } from './first-admin';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server';
import { superviseProcess, type ManagedProcess } from './supervisor';

/**
 * `npm start`: the whole platform on one machine with embedded defaults. PostgreSQL and
 * the Temporal dev server are started here unless DATABASE_URL / TEMPORAL_ADDRESS point
 * elsewhere; the worker, API and gateway run as supervised child processes. Ctrl-C
 * stops everything, children first, so that no process is left behind.
 */
async function main() {
  const settings = loadSettings();
  mkdirSync(settings.dataDir, { recursive: true });
  const log = (line: string) => console.log(`[launcher] ${line}`);
  let postgres: EmbeddedPostgres | undefined;
  let temporal: TemporalDevServer | undefined;
  const children: ManagedProcess[] = [];
  let stopping: Promise<void> | undefined;

  const shutdown = (code: number) =>
    (stopping ??= (async () => {
      // Children first (the worker drains its in-flight step), then Temporal, then the
      // database they all use: PostgreSQL runs in its own process group, so a Ctrl-C in the
      // terminal does not reach it and it stops only here.
      if (children.length) {
        log(`stopping ${children.map((c) => c.name).join(', ')}…`);
        await Promise.all(children.map((c) => c.stop()));
      }
      if (temporal) {
        log('stopping the Temporal dev server…');
        await temporal.stop();
      }
      if (postgres) {
        log('stopping PostgreSQL…');
        await postgres.stop();
      }
      log('stopped');
      process.exit(code);
    })());
  // SIGHUP: the terminal was closed, which deserves the same order as a Ctrl-C.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
  // With the output piped (`npm start | tee platform.log`), the terminal's Ctrl-C ends the
  // reader too: what can no longer be written is dropped, rather than the write error
  // crashing the launcher halfway through its orderly shutdown.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

  try {
    const registry = await locateRegistry(settings, log);
    postgres = registry.embedded;
    const { registryUrl, tenantServerUrl } = registry;
    log('registry migrated');
    const firstAdmin = await bootstrapFirstAdmin(registryUrl, settings.dataDir);

    let temporalAddress = settings.TEMPORAL_ADDRESS;
    let temporalUiUrl = settings.TEMPORAL_UI_URL ?? null;
    if (!temporalAddress) {
      temporal = await startTemporalDevServer({
        dataDir: path.join(settings.dataDir, 'temporal'),
        port: settings.TEMPORAL_DEV_PORT,
        uiPort: settings.TEMPORAL_DEV_UI_PORT,
        log,
      });
      temporalAddress = temporal.address;
      temporalUiUrl ??= temporal.uiUrl;
    }
    // Made here, before the children start, so they all read the same generated key.
    loadSecretKey(settings.SECRET_KEY, settings.dataDir);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: settings.dataDir,
      DATABASE_URL: registryUrl,
      TENANT_DATABASE_URL: tenantServerUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      ...(temporalUiUrl ? { TEMPORAL_UI_URL: temporalUiUrl } : {}),
    };
    const root = path.resolve(__dirname, '..');
    for (const [name, entry] of [
      ['worker', 'worker/main.ts'],
      ['api', 'api/main.ts'],
      ['gateway', 'gateway/main.ts'],
    ] as const) {
      // Supervised for good: a child that crashes is restarted with backoff, never given up on.
      children.push(superviseProcess(name, path.join(root, entry), env));
    }
    // Each child says when it serves: the worker once it polls its task queue, the API and
    // the gateway once they listen.
    await untilReady(children, READY_TIMEOUT_MS);
    if (stopping) return;
    console.log(
      [
        '',
        'ActionConnect tenant platform is running:',
        `  API              http://localhost:${settings.API_PORT}/v1/tenants`,
        `  Console          http://localhost:${settings.API_PORT}/`,
        `  Tenant gateway   http://<slug>.${settings.BASE_DOMAIN}:${settings.GATEWAY_PORT}/`,
        `  Temporal         ${temporalAddress}${temporalUiUrl ? `   Web UI ${temporalUiUrl}` : ''}`,
        `  Data folder      ${settings.dataDir}`,
        ...(firstAdmin
          ? [
              '',
              `First admin account (shown once; also in ${firstAdmin.file}):`,
              `  email ${firstAdmin.email}   password ${firstAdmin.password}`,
              '  More accounts and API tokens: npm run staff -- --help',
            ]
          : []),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    // A Ctrl-C while starting is no failure: the shutdown it began goes on.
    if (stopping) return;
    console.error('[launcher] could not start the platform:', err instanceof Error ? err.message : err);
    await shutdown(1);
  }
}

/** Longer than the worker's workflow bundling on a busy two-core machine. */
const READY_TIMEOUT_MS = 180_000;

/** Waits for every child's readiness; names those not ready (and how often they crashed) on time-out. */
async function untilReady(children: ManagedProcess[], timeoutMs: number): Promise<void> {
  const pending = new Set(children);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const which = [...pending].map((c) => `${c.name}${c.crashes ? ` (crashed ${c.crashes} times)` : ''}`);
      reject(new Error(`${which.join(', ')} not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.all(children.map((c) => c.ready.then(() => pending.delete(c)))), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

void main();
