import type { StaffRole } from '../../db/registry/schema';

export const PERMISSIONS = ['tenants.read', 'tenants.create', 'tenants.operate', 'tenants.deprovision'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * viewer reads; operator also creates, suspends, resumes and retries; admin also
 * de-provisions; the signup service may only create tenants.
 */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  viewer: ['tenants.read'],
  operator: ['tenants.read', 'tenants.create', 'tenants.operate'],
  admin: ['tenants.read', 'tenants.create', 'tenants.operate', 'tenants.deprovision'],
  signup: ['tenants.create'],
};

export function can(role: StaffRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
