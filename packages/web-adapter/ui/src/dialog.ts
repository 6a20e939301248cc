/** Modal dialogs: native <dialog> (the page behind is inert), Tab kept inside, Escape cancels, focus restored. */
import { type Child, h } from './dom.js';

export interface DialogAction {
  readonly label: string;
  readonly value: string;
  readonly kind?: 'primary' | 'danger' | 'secondary';
  readonly testid?: string;
}

export interface DialogOptions {
  readonly title: string;
  readonly body: Child;
  readonly actions: readonly DialogAction[];
  readonly testid?: string;
  /** The action focused first (default: the first secondary one, so Enter does not confirm by accident). */
  readonly focus?: string;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Opens a dialog; resolves with the chosen action's value, or null when cancelled. */
export function openDialog(options: DialogOptions): Promise<string | null> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const titleId = `dialog-title-${Math.random().toString(36).slice(2, 8)}`;
  return new Promise((resolve) => {
    let result: string | null = null;
    const buttons = options.actions.map((action) =>
      h(
        'button',
        {
          type: 'button',
          class: `button ${action.kind ?? 'secondary'}`,
          'data-testid': action.testid,
          'data-value': action.value,
          onClick: () => {
            result = action.value;
            dialog.close();
          },
        },
        action.label,
      ),
    );
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId, 'data-testid': options.testid },
      h('h2', { id: titleId, class: 'dialog-title' }, options.title),
      h('div', { class: 'dialog-body' }, options.body),
      h('div', { class: 'dialog-actions' }, buttons),
    );
    dialog.addEventListener('keydown', (event) => {
      if (event.key !== 'Tab') return;
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.addEventListener('cancel', () => {
      result = null;
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener?.isConnected) opener.focus();
      resolve(result);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    const preferred =
      buttons.find((b) => b.dataset.value === options.focus) ??
      buttons.find((b) => b.classList.contains('secondary')) ??
      buttons[0];
    preferred?.focus();
  });
}

/** A yes/no question. */
export async function confirmDialog(
  title: string,
  body: Child,
  confirmLabel: string,
  kind: 'primary' | 'danger' = 'primary',
  testid?: string,
): Promise<boolean> {
  const answer = await openDialog({
    title,
    body,
    ...(testid ? { testid } : {}),
    actions: [
      { label: 'Cancel', value: 'cancel', kind: 'secondary' },
      { label: confirmLabel, value: 'confirm', kind, testid: testid ? `${testid}-confirm` : undefined },
    ],
  });
  return answer === 'confirm';
}
