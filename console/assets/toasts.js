import { h } from './dom.js';

/** Short notices of an action's outcome, read out by screen readers (the container is aria-live). */
export function notify(message, { kind = 'success', timeoutMs = 6000 } = {}) {
  const container = document.getElementById('toasts');
  if (!container) return;
  const toast = h('div', { className: `toast toast-${kind}` }, h('span', { className: 'toast-message' }, message));
  const close = () => toast.remove();
  toast.append(h('button', { className: 'toast-close', type: 'button', 'aria-label': 'Dismiss', onClick: close }, '×'));
  container.append(toast);
  setTimeout(close, timeoutMs);
}
