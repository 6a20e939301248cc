/**
 * The overview: every service in a table with search, filters and counts per status. Rows are keyed by
 * id and updated in place on live events; filtering and sorting reuse the row elements.
 */
import { instancesTable, onTick, statusBadge, updateStatusBadge, updateTime } from '../components.js';
import type { AppContext, View } from '../context.js';
import { h, setAttr, setText } from '../dom.js';
import {
  allTags,
  compareServices,
  countByStatus,
  DEFAULT_SORT,
  matchesFilters,
  parseFilters,
  type ServiceFilters,
  type SortKey,
  type SortOrder,
  serializeFilters,
  sortServices,
} from '../filter.js';
import { formatLatency, relativeTime, statusLabel } from '../format.js';
import { errorBox } from '../notify.js';
import type { StoreChange } from '../store.js';
import { SERVICE_TYPES, type ServiceSummary, STATUSES } from '../types.js';

interface Row {
  readonly tr: HTMLTableRowElement;
  readonly badge: HTMLElement;
  readonly name: HTMLAnchorElement;
  readonly tags: HTMLElement;
  readonly enabled: HTMLElement;
  readonly latency: HTMLElement;
  readonly time: HTMLElement;
  readonly message: HTMLElement;
  tagsKey: string;
}

const COLUMNS: readonly { key: SortKey | null; label: string; className: string }[] = [
  { key: 'status', label: 'Status', className: 'col-status' },
  { key: 'name', label: 'Service', className: 'col-name' },
  { key: 'type', label: 'Type', className: 'col-type' },
  { key: null, label: 'Tags', className: 'col-tags' },
  { key: null, label: 'Enabled', className: 'col-enabled' },
  { key: 'latency', label: 'Latency', className: 'col-latency' },
  { key: 'lastCheck', label: 'Last check', className: 'col-check' },
];

export function overviewView(ctx: AppContext): View {
  const { store } = ctx;
  let filters: ServiceFilters = parseFilters(window.location.search);
  let sort: SortOrder = DEFAULT_SORT;
  const rows = new Map<string, Row>();
  let shown: string[] = [];

  const search = h('input', {
    type: 'search',
    id: 'filter-q',
    class: 'input',
    placeholder: 'Search id, name, description, tag',
    autocomplete: 'off',
    'data-testid': 'search',
    value: filters.q,
  });
  const typeSelect = h(
    'select',
    { id: 'filter-type', class: 'input', 'data-testid': 'filter-type' },
    h('option', { value: '' }, 'All types'),
    SERVICE_TYPES.map((t) => h('option', { value: t }, t)),
  );
  const statusSelect = h(
    'select',
    { id: 'filter-status', class: 'input', 'data-testid': 'filter-status' },
    h('option', { value: '' }, 'All statuses'),
    STATUSES.map((st) => h('option', { value: st }, `${statusLabel(st).symbol} ${statusLabel(st).text}`)),
  );
  const tagSelect = h('select', { id: 'filter-tag', class: 'input', 'data-testid': 'filter-tag' });
  typeSelect.value = filters.type;
  statusSelect.value = filters.status;

  const countButtons = new Map(
    STATUSES.map((st) => {
      const count = h('span', { class: 'count-number' }, '0');
      const button = h(
        'button',
        {
          type: 'button',
          class: `count status-${st}`,
          'aria-pressed': 'false',
          'data-testid': `count-${st}`,
          onClick: () => setFilters({ ...filters, status: filters.status === st ? '' : st }),
        },
        h('span', { class: 'badge-symbol', 'aria-hidden': 'true' }, statusLabel(st).symbol),
        h('span', { class: 'count-label' }, statusLabel(st).text),
        count,
      );
      return [st, { button, count }] as const;
    }),
  );
  const total = h('span', { class: 'count-total', 'aria-live': 'off' });
  const matching = h('p', { class: 'muted result-count', 'aria-live': 'polite', id: 'result-count' });

  const sortButtons = new Map<SortKey, HTMLButtonElement>();
  const headerCells = COLUMNS.map((column) => {
    if (!column.key) return h('th', { scope: 'col', class: column.className }, column.label);
    const key = column.key;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'sort',
        onClick: () => {
          sort = { key, descending: sort.key === key ? !sort.descending : false };
          renderList();
        },
      },
      column.label,
      h('span', { class: 'sort-arrow', 'aria-hidden': 'true' }),
    );
    sortButtons.set(key, button);
    return h('th', { scope: 'col', class: column.className }, button);
  });
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', hidden: true }, 'No service matches these filters.');
  const table = h(
    'table',
    { class: 'table services-table', 'data-testid': 'services-table' },
    h('caption', { class: 'visually-hidden' }, 'Services, their status and last health check'),
    h('thead', null, h('tr', null, headerCells)),
    tbody,
  );
  const loading = h('p', { class: 'muted' }, 'Loading services…');
  const processes = h('div', null, h('p', { class: 'muted' }, 'Loading processes…'));

  const element = h(
    'div',
    { class: 'page overview' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'Services'), total),
    h(
      'div',
      { class: 'counts', role: 'group', 'aria-label': 'Services by status (select to filter)' },
      [...countButtons.values()].map((c) => c.button),
    ),
    h(
      'form',
      { class: 'filters', role: 'search', onSubmit: (e: Event) => e.preventDefault() },
      h('div', { class: 'field grow' }, h('label', { for: 'filter-q' }, 'Search'), search),
      h('div', { class: 'field' }, h('label', { for: 'filter-type' }, 'Type'), typeSelect),
      h('div', { class: 'field' }, h('label', { for: 'filter-status' }, 'Status'), statusSelect),
      h('div', { class: 'field' }, h('label', { for: 'filter-tag' }, 'Tag'), tagSelect),
    ),
    matching,
    loading,
    h('div', { class: 'table-wrap' }, table),
    empty,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'processes-title' },
      h('h2', { id: 'processes-title' }, 'Processes'),
      processes,
    ),
  );

  function makeRow(service: ServiceSummary): Row {
    const badge = statusBadge(service.status, `status-${service.id}`);
    const name = h('a', { href: `/services/${encodeURIComponent(service.id)}`, class: 'service-name' });
    const message = h('span', { class: 'row-message' });
    const tags = h('span', { class: 'tags' });
    const enabled = h('span', { class: 'enabled' });
    const latency = h('span', { class: 'num' });
    const time = h('time', { class: 'time-ago' });
    const tr = h(
      'tr',
      { 'data-testid': `service-row-${service.id}`, 'data-id': service.id },
      h('td', { class: 'col-status', 'data-label': 'Status' }, badge),
      h(
        'td',
        { class: 'col-name', 'data-label': 'Service' },
        name,
        // The id and, when failing, why — on one line, so a status change never changes the row's height.
        h('span', { class: 'service-sub' }, h('span', { class: 'service-id' }, service.id), message),
      ),
      h('td', { class: 'col-type', 'data-label': 'Type' }, service.type),
      h('td', { class: 'col-tags', 'data-label': 'Tags' }, tags),
      h('td', { class: 'col-enabled', 'data-label': 'Enabled' }, enabled),
      h('td', { class: 'col-latency', 'data-label': 'Latency' }, latency),
      h('td', { class: 'col-check', 'data-label': 'Last check' }, time),
    );
    const row: Row = { tr, badge, name, tags, enabled, latency, time, message, tagsKey: '' };
    updateRow(row, service, Date.now());
    return row;
  }

  function updateRow(row: Row, service: ServiceSummary, now: number): void {
    updateStatusBadge(row.badge, service.status);
    setText(row.name, service.name);
    const problem =
      service.status === 'error' || service.missing
        ? (service.statusMessage ?? (service.missing ? 'missing' : ''))
        : '';
    setText(row.message, problem);
    setAttr(row.message, 'title', problem || null);
    const tagsKey = service.tags.join('\n');
    if (row.tagsKey !== tagsKey) {
      row.tagsKey = tagsKey;
      row.tags.replaceChildren(...service.tags.map((t) => h('span', { class: 'chip' }, t)));
    }
    setText(row.enabled, service.enabled ? '● on' : '○ off');
    setAttr(row.enabled, 'data-enabled', String(service.enabled));
    setText(row.latency, formatLatency(service.latencyMs));
    updateTime(row.time, service.lastHealthCheck, now);
  }

  function rowOf(service: ServiceSummary): Row {
    let row = rows.get(service.id);
    if (!row) {
      row = makeRow(service);
      rows.set(service.id, row);
    }
    return row;
  }

  function updateTags(): void {
    const tags = allTags(store.services.values());
    const current = filters.tag;
    const options = [
      h('option', { value: '' }, 'All tags'),
      ...tags.map((t) => h('option', { value: t }, t)),
    ];
    if (current && !tags.includes(current)) options.push(h('option', { value: current }, current));
    tagSelect.replaceChildren(...options);
    tagSelect.value = current;
  }

  function updateCounts(): void {
    const counts = countByStatus(store.services.values());
    for (const [st, { button, count }] of countButtons) {
      setText(count, String(counts[st]));
      setAttr(button, 'aria-pressed', String(filters.status === st));
      setAttr(button, 'aria-label', `${statusLabel(st).text}: ${counts[st]}`);
    }
    setText(total, `${store.services.size} ${store.services.size === 1 ? 'service' : 'services'}`);
  }

  function updateMatching(): void {
    const filtered = filters.q || filters.type || filters.status || filters.tag;
    setText(matching, filtered ? `${shown.length} of ${store.services.size} services match.` : '');
    empty.hidden = !store.loaded || shown.length > 0;
  }

  function updateSortHeaders(): void {
    for (const [key, button] of sortButtons) {
      const th = button.parentElement;
      const active = sort.key === key;
      if (th) setAttr(th, 'aria-sort', active ? (sort.descending ? 'descending' : 'ascending') : null);
      const arrow = button.querySelector('.sort-arrow');
      if (arrow) setText(arrow, active ? (sort.descending ? ' ▼' : ' ▲') : '');
    }
  }

  /** Filters and sorts anew (user actions, reloads), reusing rows. */
  function renderList(): void {
    loading.hidden = store.loaded;
    const now = Date.now();
    const list = sortServices(
      [...store.services.values()].filter((s) => matchesFilters(s, filters)),
      sort,
    );
    shown = list.map((s) => s.id);
    const fragment = document.createDocumentFragment();
    for (const service of list) {
      const row = rowOf(service);
      updateRow(row, service, now);
      fragment.appendChild(row.tr);
    }
    tbody.replaceChildren(fragment);
    for (const id of rows.keys()) if (!store.services.has(id)) rows.delete(id);
    updateCounts();
    updateMatching();
    updateSortHeaders();
  }

  /** Live updates of some services: cells in place; rows join or leave the filtered list without re-sorting. */
  function updateServices(ids: ReadonlySet<string>): void {
    const now = Date.now();
    const compare = compareServices(sort);
    let membership = false;
    for (const id of ids) {
      const service = store.services.get(id);
      if (!service) continue;
      const row = rowOf(service);
      updateRow(row, service, now);
      const index = shown.indexOf(id);
      const matches = matchesFilters(service, filters);
      if (index >= 0 && !matches) {
        shown.splice(index, 1);
        row.tr.remove();
        membership = true;
      } else if (index < 0 && matches) {
        let at = shown.findIndex((other) => {
          const o = store.services.get(other);
          return o !== undefined && compare(service, o) < 0;
        });
        if (at < 0) at = shown.length;
        const before = shown[at];
        shown.splice(at, 0, id);
        tbody.insertBefore(row.tr, before ? (rows.get(before)?.tr ?? null) : null);
        membership = true;
      }
    }
    updateCounts();
    if (membership) updateMatching();
  }

  function setFilters(next: ServiceFilters, fromInput = false): void {
    filters = next;
    if (!fromInput) {
      search.value = next.q;
      typeSelect.value = next.type;
      statusSelect.value = next.status;
      tagSelect.value = next.tag;
    }
    const url = `${window.location.pathname}${serializeFilters(next)}`;
    window.history.replaceState(window.history.state, '', url);
    renderList();
  }

  let searchTimer: number | undefined;
  search.addEventListener('input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => setFilters({ ...filters, q: search.value }, true), 120);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && search.value) {
      search.value = '';
      setFilters({ ...filters, q: '' }, true);
    }
  });
  typeSelect.addEventListener('change', () =>
    setFilters({ ...filters, type: typeSelect.value as ServiceFilters['type'] }, true),
  );
  statusSelect.addEventListener('change', () =>
    setFilters({ ...filters, status: statusSelect.value as ServiceFilters['status'] }, true),
  );
  tagSelect.addEventListener('change', () => setFilters({ ...filters, tag: tagSelect.value }, true));

  const unsubscribe = store.subscribe((changes: readonly StoreChange[]) => {
    const ids = new Set<string>();
    let all = false;
    for (const change of changes) {
      if (change.kind === 'services') all = true;
      else if (change.kind === 'service') ids.add(change.id);
    }
    if (all) {
      updateTags();
      renderList();
    } else if (ids.size > 0) updateServices(ids);
  });
  const untick = onTick((now) => {
    for (const id of shown) {
      const row = rows.get(id);
      const service = store.services.get(id);
      if (row && service) setText(row.time, relativeTime(service.lastHealthCheck, now));
    }
  });

  updateTags();
  renderList();
  void ctx
    .instances()
    .then((list) => processes.replaceChildren(instancesTable(list)))
    .catch((error: unknown) => processes.replaceChildren(errorBox(error)));

  return {
    element,
    title: 'Services',
    destroy: () => {
      unsubscribe();
      untick();
      window.clearTimeout(searchTimer);
    },
  };
}
