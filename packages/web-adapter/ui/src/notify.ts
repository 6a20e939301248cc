/** Feedback: a polite live region for status changes, and toasts (errors as alerts, with the hint). */
import { ApiError } from './api.js';
import { h } from './dom.js';

let politeRegion: HTMLElement | null = null;
let toasts: HTMLElement | null = null;

/** Creates the live regions (once, at start). */
export function mountNotifications(root: HTMLElement): void {
  politeRegion = h('div', {
    class: 'visually-hidden',
    'aria-live': 'polite',
    'aria-atomic': 'true',
    id: 'announcer',
  });
  toasts = h('div', { class: 'toasts', 'aria-live': 'polite', 'data-testid': 'toasts' });
  root.append(politeRegion, toasts);
}

/** Tells screen reader users something without showing it (e.g. "github is now Error"). */
export function announce(text: string): void {
  if (!politeRegion) return;
  politeRegion.textContent = '';
  // A new text node after clearing makes screen readers read it even when it repeats.
  window.setTimeout(() => {
    if (politeRegion) politeRegion.textContent = text;
  }, 50);
}

/** Shows a toast; errors stay until dismissed and are announced assertively. */
export function toast(
  message: string,
  kind: 'info' | 'success' | 'error' = 'info',
  hint?: string | null,
): void {
  if (!toasts) return;
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×');
  const item = h(
    'div',
    { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h(
      'div',
      { class: 'toast-text' },
      h('strong', null, message),
      hint ? h('span', { class: 'toast-hint' }, hint) : null,
    ),
    close,
  );
  close.addEventListener('click', () => item.remove());
  toasts.appendChild(item);
  while (toasts.childElementCount > 4) toasts.firstElementChild?.remove();
  if (kind !== 'error') window.setTimeout(() => item.remove(), 6000);
}

/** Shows any failure: an API error's message and hint, or what was thrown. */
export function showError(error: unknown, context?: string): void {
  if (error instanceof ApiError) {
    toast(context ? `${context}: ${error.info.message}` : error.info.message, 'error', error.info.hint);
  } else {
    toast(context ?? 'Something went wrong', 'error', error instanceof Error ? error.message : String(error));
  }
}

/** An inline error box (message + hint) for a section that failed to load. */
export function errorBox(error: unknown, retry?: () => void): HTMLElement {
  const info =
    error instanceof ApiError
      ? error.info
      : { message: error instanceof Error ? error.message : String(error), hint: null };
  return h(
    'div',
    { class: 'error-box', role: 'alert' },
    h('p', { class: 'error-message' }, info.message),
    info.hint ? h('p', { class: 'error-hint' }, info.hint) : null,
    retry ? h('button', { type: 'button', class: 'button secondary', onClick: retry }, 'Try again') : null,
  );
}
