import { randomBytes } from 'node:crypto';
import { eventually, type JsonResponse } from './http';

type Api = { api(method: string, path: string, body?: unknown): Promise<JsonResponse> };

let counter = 0;

/** A slug no other test of this run uses. */
export function uniqueSlug(prefix = 'acme'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

export function newTenantBody(slug = uniqueSlug()) {
  return { name: `Org ${slug}`, slug, plan: 'team', adminEmail: `owner@${slug}.example.com` };
}

export async function createTenant(platform: Api, body = newTenantBody()) {
  const res = await platform.api('POST', '/v1/tenants', body);
  if (res.status !== 202) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.tenant.id as string, slug: body.slug, body: res.body };
}

export async function waitForStatus(platform: Api, tenantId: string, status: string, timeoutMs = 60_000) {
  let seen = '';
  return eventually(
    async () => {
      const res = await platform.api('GET', `/v1/tenants/${tenantId}`);
      seen = res.body?.tenant?.status;
      return seen === status ? res.body : undefined;
    },
    { timeoutMs, what: () => `tenant ${tenantId} to become ${status} (last seen ${seen})` },
  );
}

