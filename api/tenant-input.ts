import { z } from 'zod';
import { TENANT_STATUSES } from '../db/registry/schema';

/** The message for a value that is missing or not a string: a missing field says so. */
export const stringExpected = (what = 'must be a string') => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : what);

/** Subdomains the platform or its staff use; no tenant may take them. */
export const RESERVED_SLUGS = new Set([
  'www', 'api', 'admin', 'app', 'mail', 'smtp', 'imap', 'pop', 'mx', 'ftp', 'ns1', 'ns2', 'dns',
  'console', 'staff', 'status', 'support', 'help', 'docs', 'blog', 'login', 'signup', 'auth', 'sso',
  'account', 'accounts', 'billing', 'static', 'assets', 'cdn', 'media', 'files', 'storage', 'gateway',
  'temporal', 'internal', 'system', 'root', 'localhost', 'dev', 'test', 'staging', 'production',
  'actionconnect', 'security', 'abuse', 'postmaster', 'webmaster', 'hostmaster', 'noreply', 'no-reply',
  // Names mail and browser clients look up by convention on any domain.
  'autodiscover', 'autoconfig', 'mta-sts', 'wpad', 'isatap', 'imap4', 'pop3', 'webmail', 'email', 'mx1', 'mx2',
]);

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A UTF-16 surrogate without its pair (JSON allows `"\ud800"`): not text, and PostgreSQL would store U+FFFD instead. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A DNS label: 3–63 lowercase letters, digits and single hyphens, no hyphen at either end. */
export const slugSchema = z
  .string({ error: stringExpected() })
  .min(3, 'must be at least 3 characters')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9-]+$/, 'may contain only lowercase letters a-z, digits and hyphens')
  .regex(/^[a-z0-9].*[a-z0-9]$/, 'must start and end with a letter or digit')
  // Also rules out punycode (`xn--`), whose look-alikes could impersonate another tenant.
  .refine((s) => !s.includes('--'), 'may not contain two hyphens in a row')
  .refine((s) => !RESERVED_SLUGS.has(s), 'is reserved');

export const tenantNameSchema = z
  .string({ error: stringExpected() })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .refine((s) => !CONTROL_CHARACTERS.test(s), 'must not contain control characters')
      .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode text'),
  );

export const emailSchema = z
  .string({ error: stringExpected() })
  .max(254, 'must be at most 254 characters')
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.email({ error: 'must be an email address' }));

export const createTenantSchema = z.strictObject(
  {
    name: tenantNameSchema,
    slug: slugSchema,
    plan: z.string({ error: stringExpected() }).min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
    adminEmail: emailSchema,
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : 'must be a JSON object') },
);
export type CreateTenantRequest = z.infer<typeof createTenantSchema>;

const reasonSchema = z
  .string({ error: stringExpected() })
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters').refine((s) => !CONTROL_CHARACTERS.test(s.replace(/[\n\r\t]/g, ' ')), 'must not contain control characters').refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode text'));

export const suspendSchema = z.strictObject({ reason: reasonSchema });
export const emptyActionSchema = z.strictObject({});
export const deprovisionSchema = z.strictObject({
  confirmSlug: z.string({ error: stringExpected('must be a string: the tenant slug typed back') }).max(63, 'does not match the tenant slug'),
  reason: reasonSchema.optional(),
});

const statusList = z.enum(TENANT_STATUSES, { error: `must be one of ${TENANT_STATUSES.join(', ')}` });

export const listTenantsSchema = z.strictObject({
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  status: statusList.optional(),
  plan: z.string().max(50).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
  cursor: z.string().max(200).optional(),
});
export type ListTenantsQuery = z.infer<typeof listTenantsSchema>;

export const pageSchema = z.strictObject({
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(100),
  cursor: z.string().max(50).optional(),
});
