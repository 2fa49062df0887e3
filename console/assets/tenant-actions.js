import { h } from './dom.js';
import { api } from './api.js';
import { openFormDialog } from './dialogs.js';
import { can } from './session.js';
import { humanize } from './format.js';

/**
 * The staff actions on a tenant, each behind a dialog. Which ones are offered follows
 * the tenant's status and the signed-in role; the API decides in the end (403, 409).
 */

const tenantPath = (tenant, action) => `/v1/tenants/${encodeURIComponent(tenant.id)}/${action}`;

/** A slug suggested from a name: what the user would most likely type. */
export function slugFrom(name) {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
}

export function createTenantDialog(plans) {
  return openFormDialog({
    title: 'New tenant',
    intro: 'Creates the registry record and starts provisioning in the background: database, storage, subdomain, support address and defaults.',
    testId: 'create-dialog',
    submitLabel: 'Create tenant',
    busyLabel: 'Creating…',
    fields: [
      { name: 'name', label: 'Organization name', required: true, placeholder: 'Acme Support' },
      {
        name: 'slug',
        label: 'Slug (subdomain)',
        required: true,
        placeholder: 'acme',
        hint: '3–63 lowercase letters, digits and single hyphens.',
        derive: { from: 'name', with: slugFrom },
      },
      {
        name: 'plan',
        label: 'Plan',
        type: 'select',
        value: plans.find((p) => p.key === 'team')?.key ?? plans[0]?.key,
        options: plans.map((p) => ({ value: p.key, label: `${p.name} — ${p.description}` })),
      },
      { name: 'adminEmail', label: 'Admin email', type: 'email', required: true, placeholder: 'owner@acme.example', hint: 'Receives the invitation to the new tenant.' },
    ],
    canSubmit: (v) => v.name.trim() !== '' && v.slug.trim() !== '' && v.adminEmail.trim() !== '',
    onSubmit: (v) => api('POST', '/v1/tenants', { name: v.name, slug: v.slug.trim(), plan: v.plan, adminEmail: v.adminEmail }),
  });
}

function suspendDialog(tenant) {
  return openFormDialog({
    title: `Suspend ${tenant.name}`,
    intro: 'Its users lose access at once; all data is kept. Resume restores access.',
    testId: 'suspend-dialog',
    submitLabel: 'Suspend',
    busyLabel: 'Suspending…',
    danger: true,
    fields: [{ name: 'reason', label: 'Reason', type: 'textarea', required: true, placeholder: 'e.g. billing dispute, ticket #1234', hint: 'Recorded in the audit trail.' }],
    canSubmit: (v) => v.reason.trim() !== '',
    onSubmit: (v) => api('POST', tenantPath(tenant, 'suspend'), { reason: v.reason }),
  });
}

function resumeDialog(tenant) {
  return openFormDialog({
    title: `Resume ${tenant.name}`,
    intro: [
      h('p', {}, 'Restores access for its users.'),
      tenant.suspensionReason ? h('p', { className: 'subtle' }, `Suspended because: ${tenant.suspensionReason}`) : null,
    ],
    testId: 'resume-dialog',
    submitLabel: 'Resume',
    busyLabel: 'Resuming…',
    onSubmit: () => api('POST', tenantPath(tenant, 'resume'), {}),
  });
}

function retryDialog(tenant) {
  const failure = tenant.failure;
  return openFormDialog({
    title: `Retry ${tenant.name}`,
    intro: [
      h('p', {}, `Resumes ${failure?.pipeline === 'deprovision' ? 'de-provisioning' : 'provisioning'} at the first incomplete step. Steps are idempotent, so nothing is created twice.`),
      failure ? h('p', { className: 'error-text' }, `${humanize(failure.step)} failed: ${failure.reason ?? 'unknown error'}`) : null,
    ],
    testId: 'retry-dialog',
    submitLabel: 'Retry',
    busyLabel: 'Retrying…',
    onSubmit: () => api('POST', tenantPath(tenant, 'retry'), {}),
  });
}

function deprovisionDialog(tenant) {
  return openFormDialog({
    title: `De-provision ${tenant.name}`,
    intro: [
      h('p', { className: 'error-text' }, 'This permanently deletes the tenant’s database, stored files, subdomain route and support address. It cannot be undone.'),
      h('p', {}, 'Type ', h('code', {}, tenant.slug), ' to confirm.'),
    ],
    testId: 'deprovision-dialog',
    submitLabel: 'De-provision',
    busyLabel: 'Starting teardown…',
    danger: true,
    fields: [
      { name: 'confirmSlug', label: 'Slug', required: true, placeholder: tenant.slug },
      { name: 'reason', label: 'Reason (optional)', type: 'textarea' },
    ],
    canSubmit: (v) => v.confirmSlug === tenant.slug,
    onSubmit: (v) => api('POST', tenantPath(tenant, 'deprovision'), { confirmSlug: v.confirmSlug, ...(v.reason.trim() ? { reason: v.reason } : {}) }),
  });
}

/** The actions that fit the tenant's status and the signed-in role, in display order; `done` words the outcome. */
export function actionsFor(tenant) {
  const actions = [];
  if (can('tenants.operate')) {
    if (tenant.status === 'active') actions.push({ key: 'suspend', label: 'Suspend', open: suspendDialog, done: (t) => `Suspended ${t.name}. Its users have lost access.` });
    if (tenant.status === 'suspended') actions.push({ key: 'resume', label: 'Resume', open: resumeDialog, done: (t) => `Resumed ${t.name}; it is ${t.status} again.`, primary: true });
    if (tenant.status === 'failed') actions.push({ key: 'retry', label: 'Retry', open: retryDialog, done: (t) => `Retrying ${t.name}; it is ${t.status}.`, primary: true });
  }
  // A failed teardown is finished by retrying it, not by asking for another.
  const deprovisionable = ['active', 'suspended'].includes(tenant.status) || (tenant.status === 'failed' && tenant.failure?.pipeline !== 'deprovision');
  if (can('tenants.deprovision') && deprovisionable) {
    actions.push({ key: 'deprovision', label: 'De-provision', open: deprovisionDialog, done: (t) => `De-provisioning of ${t.name} has started.`, danger: true });
  }
  return actions;
}
