import path from 'node:path';
import { z } from 'zod';

/**
 * Every setting the platform reads, validated once at start-up so that a typo in the
 * environment fails loudly instead of surfacing as a strange runtime error later.
 */
const port = z.coerce.number().int().min(0).max(65535);

const settingsSchema = z.object({
  DATA_DIR: z.string().min(1).default('.data'),
  /** Registry database; unset means embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Server where tenant databases are created; defaults to the registry's server. */
  TENANT_DATABASE_URL: z.string().url().optional(),
  EMBEDDED_PG_PORT: port.default(54329),
  /** Temporal frontend; unset means the dev server described by temporal-dev.yml. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('tenant-lifecycle'),
  /** Base of the Temporal Web UI links shown to staff; derived from temporal-dev.yml when unset. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** Override temporal-dev.yml's frontend and Web UI ports for the dev server `npm start` runs. */
  TEMPORAL_DEV_PORT: port.optional(),
  TEMPORAL_DEV_UI_PORT: port.optional(),
  /** Interface the API and the gateway listen on; 0.0.0.0 to serve other machines. */
  LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
  /** Mark the console's session cookie Secure: set it when the API is served over HTTPS. */
  SECURE_COOKIES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  API_PORT: port.default(3000),
  GATEWAY_PORT: port.default(8080),
  /** Tenants are served at <slug>.<BASE_DOMAIN>. */
  BASE_DOMAIN: z.string().min(1).default('localhost'),
  /** Inbound support addresses are support@<slug>.<INBOUND_EMAIL_DOMAIN>. */
  INBOUND_EMAIL_DOMAIN: z.string().min(1).default('inbound.actionconnect.localhost'),
  STORAGE_ROOT: z.string().min(1).optional(),
  /** 32-byte key (hex or base64) that encrypts tenant database passwords; generated under DATA_DIR when unset. */
  SECRET_KEY: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Tenant creations one credential may make at once, then TENANT_CREATE_PER_MINUTE; see api/rate-limit.ts. */
  TENANT_CREATE_BURST: z.coerce.number().int().min(1).default(3000),
  TENANT_CREATE_PER_MINUTE: z.coerce.number().min(0).default(3000),
});

export type RawSettings = z.infer<typeof settingsSchema>;

export interface Settings extends RawSettings {
  dataDir: string;
  storageRoot: string;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings:\n${lines.join('\n')}`);
  }
  const dataDir = path.resolve(parsed.data.DATA_DIR);
  return {
    ...parsed.data,
    dataDir,
    storageRoot: path.resolve(parsed.data.STORAGE_ROOT ?? path.join(dataDir, 'storage')),
  };
}
