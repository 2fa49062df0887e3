import { h } from './dom.js';

/** Statuses in lifecycle order: the order of the status filter. */
export const STATUSES = ['provisioning', 'active', 'suspended', 'deprovisioning', 'deleted', 'failed'];

/** Work is under way: the console polls and the badge pulses. */
export function isTransitional(status) {
  return status === 'provisioning' || status === 'deprovisioning';
}

/** One colour per status (see console.css), so the state reads at a glance. */
export function statusBadge(status) {
  return h(
    'span',
    { className: `badge badge-${status}${isTransitional(status) ? ' badge-live' : ''}`, dataset: { status }, 'data-testid': 'status-badge' },
    h('span', { className: 'badge-dot', 'aria-hidden': 'true' }),
    status,
  );
}

export function healthIndicator(health) {
  if (!health || health.state === 'healthy') {
    return h('span', { className: 'health health-ok', dataset: { health: 'healthy' } }, h('span', { className: 'health-icon', 'aria-hidden': 'true' }, '✓'), 'Healthy');
  }
  return h(
    'span',
    { className: 'health health-attention', dataset: { health: 'attention' }, title: health.reason },
    h('span', { className: 'health-icon', 'aria-hidden': 'true' }, '!'),
    h('span', { className: 'health-reason' }, health.reason),
  );
}

export function planLabel(planKey, plans) {
  return plans?.find((p) => p.key === planKey)?.name ?? planKey;
}
