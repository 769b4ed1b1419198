// Messages for the person: short notices that fade, errors that stay until read.

import { h } from './dom.js';

const ICON_CLOSE =
  '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path d="M4 4l8 8M12 4l-8 8" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round"/></svg>';

function closeButton(onClick) {
  const button = h('button', { class: 'icon-button', type: 'button', 'aria-label': 'Dismiss' });
  // A constant icon, not data: safe to parse.
  button.innerHTML = ICON_CLOSE;
  button.addEventListener('click', onClick);
  return button;
}

/**
 * Shows a message. kind: 'info' | 'success' | 'error'. details: extra lines (e.g. the files
 * that were refused and why). Errors stay 12 s, others 6 s; every toast can be dismissed.
 */
export function notify(message, { kind = 'info', details = [], timeout } = {}) {
  const container = document.getElementById('toasts');
  if (!container) return;
  const shown = details.slice(0, 8);
  const more = details.length - shown.length;
  const body = h(
    'div',
    { class: 'toast-message' },
    message,
    shown.length ? h('ul', null, shown.map((line) => h('li', null, line)), more > 0 ? h('li', null, `and ${more} more`) : null) : null,
  );
  const toast = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, body);
  const remove = () => toast.remove();
  toast.append(closeButton(remove));
  container.append(toast);
  while (container.children.length > 4) container.firstElementChild.remove();
  setTimeout(remove, timeout ?? (kind === 'error' ? 12000 : 6000));
}

/** Shows an error from the API (or anything thrown) as a sentence, never a stack. */
export function notifyError(error, prefix) {
  const text = error?.name === 'ApiError' ? error.message : 'Something went wrong. Try again.';
  if (error?.name !== 'ApiError') console.warn(error);
  notify(prefix ? `${prefix}: ${text}` : text, { kind: 'error' });
}
