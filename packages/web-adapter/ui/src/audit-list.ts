/** A table of audit entries that new (live) entries are prepended to. */
import { timeAgo } from './components.js';
import { h } from './dom.js';
import { resultLabel } from './format.js';
import type { AuditEntry } from './types.js';

export interface AuditList {
  readonly element: HTMLElement;
  set(entries: readonly AuditEntry[]): void;
  prepend(entry: AuditEntry): void;
}

function details(entry: AuditEntry): string {
  const parts = Object.entries(entry.details ?? {})
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const text = parts.join(' · ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

export function auditList(options: { showService: boolean; limit: number }): AuditList {
  const tbody = h('tbody');
  const empty = h('p', { class: 'muted', hidden: true }, 'No audit entries.');
  const headers = [
    'When',
    'Actor',
    'Action',
    ...(options.showService ? ['Service'] : []),
    'Result',
    'Details',
  ];
  const element = h(
    'div',
    null,
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'table compact audit-table', 'data-testid': 'audit-table' },
        h('caption', { class: 'visually-hidden' }, 'Audit log, newest first'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            headers.map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        tbody,
      ),
    ),
    empty,
  );
  const row = (entry: AuditEntry): HTMLTableRowElement => {
    const result = resultLabel(entry.result);
    return h(
      'tr',
      { 'data-testid': `audit-${entry.id}`, class: `audit-${entry.result}` },
      h('td', { 'data-label': 'When' }, timeAgo(entry.at)),
      h('td', { 'data-label': 'Actor' }, entry.actor, h('span', { class: 'muted' }, ` via ${entry.adapter}`)),
      h('td', { 'data-label': 'Action' }, h('code', null, entry.action)),
      options.showService
        ? h(
            'td',
            { 'data-label': 'Service' },
            entry.serviceId
              ? h('a', { href: `/services/${encodeURIComponent(entry.serviceId)}` }, entry.serviceId)
              : '—',
          )
        : null,
      h(
        'td',
        { 'data-label': 'Result' },
        h('span', { class: `result result-${entry.result}` }, `${result.symbol} ${result.text}`),
      ),
      h('td', { 'data-label': 'Details', class: 'audit-details' }, details(entry)),
    );
  };
  return {
    element,
    set(entries) {
      tbody.replaceChildren(...entries.slice(0, options.limit).map(row));
      empty.hidden = entries.length > 0;
    },
    prepend(entry) {
      if (tbody.querySelector(`[data-testid="audit-${entry.id}"]`)) return;
      tbody.prepend(row(entry));
      while (tbody.childElementCount > options.limit) tbody.lastElementChild?.remove();
      empty.hidden = true;
    },
  };
}
