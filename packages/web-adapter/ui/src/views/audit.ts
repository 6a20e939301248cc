/** The audit log with filters; new entries arrive live. */
import { api, query } from '../api.js';
import { auditList } from '../audit-list.js';
import { onTick, tickTimes } from '../components.js';
import type { AppContext, View } from '../context.js';
import { h } from '../dom.js';
import { type AuditFilters, matchesAudit } from '../filter.js';
import { errorBox } from '../notify.js';
import type { AuditEntry } from '../types.js';

export function auditView(ctx: AppContext): View {
  const params = new URLSearchParams(window.location.search);
  const result = params.get('result') ?? '';
  let filters: AuditFilters = {
    serviceId: params.get('serviceId') ?? '',
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    result: result === 'ok' || result === 'failed' || result === 'denied' ? result : '',
  };
  let limit = Number(params.get('limit')) || 100;
  const list = auditList({ showService: true, limit: 500 });
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  const body = h('div', null, list.element);

  const serviceInput = h('input', {
    id: 'audit-service',
    class: 'input',
    list: 'audit-services',
    value: filters.serviceId,
    autocomplete: 'off',
  });
  const services = h(
    'datalist',
    { id: 'audit-services' },
    [...ctx.store.services.keys()].sort().map((id) => h('option', { value: id })),
  );
  const actorInput = h('input', {
    id: 'audit-actor',
    class: 'input',
    value: filters.actor,
    autocomplete: 'off',
  });
  const actionInput = h('input', {
    id: 'audit-action',
    class: 'input',
    value: filters.action,
    autocomplete: 'off',
    placeholder: 'e.g. enable, config.update',
  });
  const resultSelect = h(
    'select',
    { id: 'audit-result', class: 'input' },
    h('option', { value: '' }, 'Any result'),
    h('option', { value: 'ok' }, '✔ ok'),
    h('option', { value: 'failed' }, '✖ failed'),
    h('option', { value: 'denied' }, '⊘ denied'),
  );
  resultSelect.value = filters.result;
  const limitSelect = h(
    'select',
    { id: 'audit-limit', class: 'input' },
    [50, 100, 200, 500].map((n) => h('option', { value: String(n) }, String(n))),
  );
  limitSelect.value = String([50, 100, 200, 500].includes(limit) ? limit : 100);

  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter the audit log' },
    h('div', { class: 'field' }, h('label', { for: 'audit-service' }, 'Service'), serviceInput, services),
    h('div', { class: 'field' }, h('label', { for: 'audit-actor' }, 'Actor'), actorInput),
    h('div', { class: 'field' }, h('label', { for: 'audit-action' }, 'Action'), actionInput),
    h('div', { class: 'field' }, h('label', { for: 'audit-result' }, 'Result'), resultSelect),
    h('div', { class: 'field' }, h('label', { for: 'audit-limit' }, 'Entries'), limitSelect),
    h(
      'div',
      { class: 'field field-button' },
      h('button', { type: 'submit', class: 'button primary' }, 'Apply filters'),
    ),
  );

  async function load(): Promise<void> {
    status.textContent = 'Loading…';
    try {
      const entries = await api.get<AuditEntry[]>(`/api/audit${query({ ...filters, limit })}`);
      body.replaceChildren(list.element);
      list.set(entries);
      status.textContent = `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, newest first; new ones appear live.`;
    } catch (error) {
      status.textContent = '';
      body.replaceChildren(errorBox(error, () => void load()));
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filters = {
      serviceId: serviceInput.value.trim(),
      actor: actorInput.value.trim(),
      action: actionInput.value.trim(),
      result: resultSelect.value as AuditFilters['result'],
    };
    limit = Number(limitSelect.value) || 100;
    window.history.replaceState(window.history.state, '', `/audit${query({ ...filters })}`);
    void load();
  });

  const element = h(
    'div',
    { class: 'page audit-page' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Audit log')),
    ctx.canManage
      ? [form, status, body]
      : h('p', { 'data-testid': 'needs-manage' }, 'The audit log needs the manage permission.'),
  );

  const unsubscribe = ctx.store.subscribe((changes) => {
    for (const change of changes)
      if (change.kind === 'audit' && matchesAudit(change.entry, filters)) list.prepend(change.entry);
  });
  const untick = onTick((now) => tickTimes(element, now));
  if (ctx.canManage) void load();

  return {
    element,
    title: 'Audit log',
    destroy: () => {
      unsubscribe();
      untick();
    },
  };
}
