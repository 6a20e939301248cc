/** A service's stored settings versions, each with its diff, and rolling back to one. */
import { api } from './api.js';
import { timeAgo } from './components.js';
import { confirmDialog } from './dialog.js';
import { type DiffRow, diffRows, diffSummary, diffValues, versionDiff } from './diff.js';
import { h } from './dom.js';
import { announce, errorBox, showError, toast } from './notify.js';
import type { ConfigUpdateResult, ConfigVersion } from './types.js';

export interface ConfigHistory {
  readonly element: HTMLElement;
  load(): Promise<void>;
}

const KIND_LABEL: Record<DiffRow['kind'], string> = {
  added: '+ added',
  removed: '− removed',
  changed: '~ changed',
};

export function diffTable(rows: readonly DiffRow[]): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No changes.');
  return h(
    'table',
    { class: 'table compact diff' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['Change', 'Setting', 'Before', 'After'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((row) =>
        h(
          'tr',
          { class: `diff-${row.kind}` },
          h(
            'td',
            { 'data-label': 'Change' },
            h('span', { class: `diff-kind diff-kind-${row.kind}` }, KIND_LABEL[row.kind]),
          ),
          h('td', { 'data-label': 'Setting' }, h('code', null, row.key)),
          h(
            'td',
            { 'data-label': 'Before', class: 'mono diff-from' },
            row.from ? h('del', null, row.from) : '—',
          ),
          h('td', { 'data-label': 'After', class: 'mono diff-to' }, row.to ? h('ins', null, row.to) : '—'),
        ),
      ),
    ),
  );
}

export function configHistory(
  serviceId: string,
  canManage: boolean,
  onRolledBack: () => void,
): ConfigHistory {
  const path = `/api/services/${encodeURIComponent(serviceId)}/config`;
  const element = h('div', { class: 'config-history' }, h('p', { class: 'muted' }, 'Loading history…'));

  async function rollback(
    versions: ConfigVersion[],
    target: ConfigVersion,
    button: HTMLButtonElement,
  ): Promise<void> {
    const current = versions[0];
    if (!current) return;
    const rows = diffRows(diffValues(current.values, target.values));
    const ok = await confirmDialog(
      `Roll back to version ${target.version}?`,
      [
        h(
          'p',
          null,
          `This stores the settings of version ${target.version} as a new version and applies them. Compared with the current version ${current.version}:`,
        ),
        diffTable(rows),
      ],
      `Roll back to version ${target.version}`,
      'danger',
      'rollback-dialog',
    );
    if (!ok) return;
    button.disabled = true;
    try {
      const result = await api.post<ConfigUpdateResult>(`${path}/rollback`, {
        version: target.version,
        expectedVersion: current.version,
      });
      const text = `Rolled back to version ${target.version} (stored as version ${result.version}).`;
      toast(text, 'success');
      announce(text);
      onRolledBack();
    } catch (error) {
      showError(error, 'Could not roll back');
      button.disabled = false;
    }
  }

  function render(versions: ConfigVersion[]): void {
    if (versions.length === 0) {
      element.replaceChildren(h('p', { class: 'muted' }, 'No settings have been stored yet.'));
      return;
    }
    const now = Date.now();
    element.replaceChildren(
      h(
        'ol',
        { class: 'versions' },
        versions.map((version, index) => {
          const rows = versionDiff(versions, index);
          const button =
            index === 0 || !canManage
              ? null
              : h(
                  'button',
                  {
                    type: 'button',
                    class: 'button secondary small',
                    'data-testid': `rollback-${version.version}`,
                  },
                  'Roll back to this version',
                );
          button?.addEventListener('click', () => void rollback(versions, version, button));
          return h(
            'li',
            { class: 'version', 'data-testid': `history-version-${version.version}` },
            h(
              'div',
              { class: 'version-head' },
              h(
                'h3',
                null,
                `Version ${version.version}`,
                index === 0 ? h('span', { class: 'chip' }, 'current') : null,
              ),
              h(
                'span',
                { class: 'muted' },
                `${version.actor} via ${version.adapter} · `,
                timeAgo(version.createdAt, now),
                ` · ${diffSummary(rows)}`,
              ),
              button,
            ),
            diffTable(rows),
          );
        }),
      ),
    );
  }

  async function load(): Promise<void> {
    try {
      render(await api.get<ConfigVersion[]>(`${path}/history?limit=50`));
    } catch (error) {
      element.replaceChildren(errorBox(error, () => void load()));
    }
  }

  return { element, load };
}
