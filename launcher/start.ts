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
      log('stopping…');
      await Promise.all(children.map((c) => c.stop()));
      await temporal?.stop();
      await postgres?.stop();
      log('stopped');
      process.exit(code);
    })());
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const registry = await locateRegistry(settings);
    postgres = registry.embedded;
    if (postgres) log(`embedded PostgreSQL on 127.0.0.1:${postgres.port} (data in ${path.join(settings.dataDir, 'postgres')})`);
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
    const giveUp = (why: string) => {
      console.error(`[launcher] ${why}; stopping the platform`);
      void shutdown(1);
    };
    for (const [name, entry] of [
      ['worker', 'worker/main.ts'],
      ['api', 'api/main.ts'],
      ['gateway', 'gateway/main.ts'],
    ] as const) {
      children.push(superviseProcess(name, path.join(root, entry), env, giveUp));
    }
    await Promise.all([
      waitForHttp(`http://127.0.0.1:${settings.API_PORT}/healthz`),
      // Any answer will do: for a host it does not know, the gateway's answer is a 404.
      waitForHttp(`http://127.0.0.1:${settings.GATEWAY_PORT}/`, { anyStatus: true }),
    ]);
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
    console.error('[launcher] could not start the platform:', err instanceof Error ? err.message : err);
    await shutdown(1);
  }
}

async function waitForHttp(url: string, opts: { anyStatus?: boolean } = {}, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok || opts.anyStatus) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

void main();
