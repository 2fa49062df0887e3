import path from 'node:path';
import postgres from 'postgres';
import { openRegistry, withDatabase } from '../db/registry/connect';
import { createSecretBox } from '../config/secret-box';
import type { StepContext } from '../activities/context';
import { noFaults, type FaultInjector } from '../activities/fault-injection';
import type { Settings } from '../config/settings';
import { loadSecretKey } from '../config/secret-box';
import { requireSetting } from '../config/process';
import { tenantUrlOf } from '../activities/naming';

export interface StepContextOptions {
  registryUrl: string;
  /** Superuser URL of the server that hosts tenant databases (any database on it). */
  tenantServerUrl: string;
  secretKey: Buffer;
  storageRoot: string;
  dataDir: string;
  baseDomain: string;
  /** The gateway's public port (null when not known: links then name no port). */
  gatewayPort: number | null;
  inboundEmailDomain: string;
  faults?: FaultInjector;
}

export function createStepContext(opts: StepContextOptions): StepContext & { close(): Promise<void> } {
  // Up to 50 steps run at once (worker/create-worker.ts), each writing its records.
  const registry = openRegistry(opts.registryUrl, { max: 20 });
  const tenantServerUrl = withDatabase(opts.tenantServerUrl, 'postgres');
  const tenantServer = postgres(tenantServerUrl, { max: 5, onnotice: () => {} });
  return {
    registry,
    tenantServer,
    tenantServerUrl,
    secrets: createSecretBox(opts.secretKey),
    storageRoot: opts.storageRoot,
    baseDomain: opts.baseDomain,
    publicTenantUrl: (slug) => tenantUrlOf(slug, opts.baseDomain, opts.gatewayPort),
    inboundEmailDomain: opts.inboundEmailDomain,
    mailOutboxDir: path.join(opts.dataDir, 'mail-outbox'),
    faults: opts.faults ?? noFaults,
    async close() {
      await registry.close();
      await tenantServer.end({ timeout: 5 });
    },
  };
}

/** The context a worker process builds from its settings (the production worker, and the drill's). */
export function stepContextFromSettings(settings: Settings, faults?: FaultInjector) {
  const registryUrl = requireSetting(settings, 'DATABASE_URL');
  return createStepContext({
    registryUrl,
    tenantServerUrl: settings.TENANT_DATABASE_URL ?? registryUrl,
    secretKey: loadSecretKey(settings.SECRET_KEY, settings.dataDir),
    storageRoot: settings.storageRoot,
    dataDir: settings.dataDir,
    baseDomain: settings.BASE_DOMAIN,
    gatewayPort: settings.GATEWAY_PORT,
    inboundEmailDomain: settings.INBOUND_EMAIL_DOMAIN,
    faults,
  });
}
