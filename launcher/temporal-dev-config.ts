import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** temporal-dev.yml at the repository root. */
export const DEFAULT_TEMPORAL_DEV_CONFIG_FILE = path.resolve(__dirname, '..', 'temporal-dev.yml');

/** The value types `temporal server start-dev --search-attribute` accepts. */
export const SEARCH_ATTRIBUTE_TYPES = ['Text', 'Keyword', 'Int', 'Double', 'Bool', 'Datetime', 'KeywordList'] as const;
export type SearchAttributeTypeName = (typeof SEARCH_ATTRIBUTE_TYPES)[number];

const port = z.number().int().min(1).max(65535);
// The CLI requires identifiers for search attribute names.
const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier');

const temporalDevConfigSchema = z
  .object({
    namespace: z.string().min(1).default('default'),
    ip: z.string().min(1).default('127.0.0.1'),
    port: port.default(7233),
    ui: z
      .object({
        enabled: z.boolean().default(true),
        port: port.default(8233),
      })
      .strict()
      .default({ enabled: true, port: 8233 }),
    dbFile: z
      .string()
      .min(1)
      // The file must stay inside the data folder so that wiping it resets Temporal too.
      .refine((f) => !path.isAbsolute(f) && !f.split(/[\\/]/).includes('..'), 'must be a path relative to the data folder')
      .default('temporal.sqlite'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'never']).default('warn'),
    // PRAGMA=VALUE pairs for the SQLite file (`--sqlite-pragma`); unused when ephemeral.
    sqlitePragmas: z.record(identifier, z.union([z.string().regex(/^[A-Za-z0-9_]+$/, 'must be a plain value'), z.number()])).default({}),
    searchAttributes: z.record(identifier, z.enum(SEARCH_ATTRIBUTE_TYPES)).default({}),
    // Keys are dotted setting names; values go to the server as JSON.
    dynamicConfig: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*$/, 'must be a dynamic config key'), z.json()).default({}),
  })
  // Unknown keys are almost always typos (`uiPort:`), which would otherwise be ignored silently.
  .strict();

export type TemporalDevConfig = z.infer<typeof temporalDevConfigSchema>;

/** Validates the text of a temporal-dev.yml; `source` names it in error messages. */
export function parseTemporalDevConfig(text: string, source = 'temporal-dev.yml'): TemporalDevConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = temporalDevConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      // A bad record key reports only "Invalid key in record"; the reason is nested.
      const nested = 'issues' in i && Array.isArray(i.issues) ? (i.issues as { message: string }[]).map((n) => n.message) : [];
      return `  ${i.path.join('.') || '(root)'}: ${[i.message, ...nested].join(': ')}`;
    });
    throw new Error(`Invalid ${source}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadTemporalDevConfig(file: string = DEFAULT_TEMPORAL_DEV_CONFIG_FILE): TemporalDevConfig {
  return parseTemporalDevConfig(readFileSync(file, 'utf8'), file);
}

/**
 * Applies per-run overrides. A frontend port override without a UI port moves the UI to
 * port + 1000 (the CLI's own rule), so a second server never collides with the first's UI.
 */
export function withOverrides(
  config: TemporalDevConfig,
  overrides: { port?: number; uiPort?: number; headless?: boolean },
): TemporalDevConfig {
  const frontendPort = overrides.port ?? config.port;
  const uiPort = overrides.uiPort ?? (overrides.port !== undefined ? Math.min(overrides.port + 1000, 65535) : config.ui.port);
  return {
    ...config,
    port: frontendPort,
    ui: { enabled: overrides.headless === undefined ? config.ui.enabled : !overrides.headless, port: uiPort },
  };
}

/** host:port for the SDK; IPv6 literals need brackets. */
export function temporalDevAddress(config: TemporalDevConfig): string {
  return `${hostForUrl(config.ip)}:${config.port}`;
}

/** Base URL of the Web UI, or null when it is disabled. */
export function temporalDevUiUrl(config: TemporalDevConfig): string | null {
  return config.ui.enabled ? `http://${hostForUrl(config.ip)}:${config.ui.port}` : null;
}

function hostForUrl(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

/**
 * The arguments after the `temporal` binary for `server start-dev`. Without `ephemeral`
 * the state lives in `<dataDir>/<dbFile>`; with it the server keeps everything in memory.
 */
export function buildStartDevArgs(config: TemporalDevConfig, opts: { dataDir: string; ephemeral?: boolean }): string[] {
  const args = ['server', 'start-dev', '--namespace', config.namespace, '--ip', config.ip, '--port', String(config.port)];
  if (!opts.ephemeral) {
    args.push('--db-filename', path.join(path.resolve(opts.dataDir), config.dbFile));
    for (const [pragma, value] of Object.entries(config.sqlitePragmas)) args.push('--sqlite-pragma', `${pragma}=${value}`);
  }
  if (config.ui.enabled) {
    // No internet here, and staff need no product news in an ops console.
    args.push('--ui-port', String(config.ui.port), '--ui-disable-news-fetch');
  } else {
    args.push('--headless');
  }
  for (const [name, type] of Object.entries(config.searchAttributes)) args.push('--search-attribute', `${name}=${type}`);
  for (const [key, value] of Object.entries(config.dynamicConfig)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  // `warn` is start-dev's own default. Passing any level explicitly also turns off the CLI's
  // suppression of its routine shutdown warnings, which would then fill the log at every stop.
  if (config.logLevel !== 'warn') args.push('--log-level', config.logLevel);
  return args;
}
