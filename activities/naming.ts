import path from 'node:path';

/**
 * Every resource name derives from the tenant id the API minted, never from user text,
 * so that no slug or name can reach an identifier or a path.
 */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function assertTenantId(tenantId: string): void {
  if (!ID_PATTERN.test(tenantId)) throw new Error(`Not a tenant id: ${JSON.stringify(tenantId)}`);
}

/** `t_<32 hex>`: both the database and its login role. */
export function databaseNameOf(tenantId: string): string {
  assertTenantId(tenantId);
  return `t_${tenantId.replaceAll('-', '')}`;
}

export function storageDirOf(storageRoot: string, tenantId: string): string {
  assertTenantId(tenantId);
  return path.join(storageRoot, tenantId);
}

/** The ownership mark written on each resource the platform creates for a tenant. */
export function ownershipMarkOf(tenantId: string): string {
  return `actionconnect-tenant:${tenantId}`;
}

export function hostOf(slug: string, baseDomain: string): string {
  return `${slug}.${baseDomain}`;
}

/**
 * Where people reach the tenant through the gateway: `http://<slug>.<base domain>:<port>`,
 * without a trailing slash. The port is left out when it is 80 (or not known).
 */
export function tenantUrlOf(slug: string, baseDomain: string, gatewayPort: number | null): string {
  const port = gatewayPort && gatewayPort !== 80 ? `:${gatewayPort}` : '';
  return `http://${hostOf(slug, baseDomain)}${port}`;
}

export function supportAddressOf(slug: string, inboundDomain: string): string {
  return `support@${slug}.${inboundDomain}`;
}
