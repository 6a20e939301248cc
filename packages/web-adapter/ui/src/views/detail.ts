/**
 * One service: status and cause, uptime, latency history, neighbours, processes, settings, history, audit;
 * enable/disable, reload and check now.
 */
import { ApiError, api } from '../api.js';
import { auditList } from '../audit-list.js';
import { healthChart } from '../chart.js';
import {
  onTick,
  serviceInstancesTable,
  serviceLink,
  statusBadge,
  tickTimes,
  timeAgo,
  updateStatusBadge,
  updateTime,
} from '../components.js';
import { configEditor } from '../config-editor.js';
import { configHistory } from '../config-history.js';
import type { AppContext, View } from '../context.js';
import { fill, h, s, setText } from '../dom.js';
import { formatLatency, formatRatio, statusLabel } from '../format.js';
import { changeState } from '../lifecycle.js';
import { errorBox, showError, toast } from '../notify.js';
import { isReloading, reloadService } from '../reload.js';
import type { StoreChange } from '../store.js';
import type { AuditEntry, HealthRecord, ServiceDetail, ServiceSummary, Uptime } from '../types.js';

export function detailView(ctx: AppContext, id: string): View {
  const { store } = ctx;
  const path = `/api/services/${encodeURIComponent(id)}`;
  const element = h(
    'div',
    { class: 'page detail' },
    h('h1', { tabindex: '-1' }, id),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  const cleanups: (() => void)[] = [];
  let destroyed = false;
  const view: { title: string } = { title: id };
  let refreshTimer: number | undefined;
  /**
   * Loads the page again once (a reload's own answer and its live event come close together), keeping the
   * focus on the same control (e.g. the Reload button) when it had it.
   */
  const refreshSoon = (): void => {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(async () => {
      if (destroyed) return;
      const focused = element.contains(document.activeElement)
        ? (document.activeElement as HTMLElement).dataset.testid
        : undefined;
      await start();
      if (focused && !destroyed && (document.activeElement === document.body || !document.activeElement)) {
        element.querySelector<HTMLElement>(`[data-testid="${CSS.escape(focused)}"]`)?.focus();
      }
    }, 200);
  };

  async function start(): Promise<void> {
    let detail: ServiceDetail;
    try {
      detail = await api.get<ServiceDetail>(path);
    } catch (error) {
      if (destroyed) return;
      const notFound = error instanceof ApiError && error.status === 404;
      element.replaceChildren(
        h(
          'nav',
          { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
          h('a', { href: '/' }, 'Services'),
          ' › ',
          id,
        ),
        h('h1', { tabindex: '-1' }, notFound ? 'No such service' : id),
        errorBox(error, notFound ? undefined : () => void start()),
      );
      return;
    }
    if (destroyed) return;
    store.upsertService(detail.service);
    render(detail);
  }

  function render(detail: ServiceDetail): void {
    for (const cleanup of cleanups.splice(0)) cleanup();
    let service: ServiceSummary = store.services.get(id) ?? detail.service;
    let uptime: Uptime = detail.uptime;
    let lastCheck: HealthRecord | null = detail.lastCheck;
    view.title = service.name;
    document.title = `${service.name} · servicedeck`;

    // ── Head ──
    const badge = statusBadge(service.status, `status-${id}`);
    const enabledChip = h('span', { class: 'chip' });
    const toggle = h('button', { type: 'button', class: 'button', 'data-testid': `toggle-${id}` });
    toggle.addEventListener('click', () => {
      const current = store.services.get(id) ?? service;
      void changeState(ctx, id, current.enabled ? 'disable' : 'enable', toggle);
    });
    // Shown for every service to managers: one registered in code or built in cannot be reloaded, and the
    // server's refusal (409) says so and what to do instead.
    const reload = h(
      'button',
      {
        type: 'button',
        class: 'button secondary',
        'data-testid': `reload-${id}`,
        title: "Load this service's code again from its file and swap it in",
      },
      'Reload',
    );
    if (isReloading(id)) {
      // Drawn again by the live stream while this page's reload is under way.
      reload.disabled = true;
      reload.setAttribute('aria-busy', 'true');
      reload.textContent = 'Reloading…';
    }
    reload.addEventListener('click', async () => {
      await reloadService(ctx, id, reload);
      // Its version, dependencies and settings schema may be new (the live stream says so too, when the
      // change feed runs), and a button drawn again meanwhile is still shown busy.
      if (!destroyed) refreshSoon();
    });
    const checkNow = h(
      'button',
      { type: 'button', class: 'button secondary', 'data-testid': 'check-now' },
      'Check now',
    );
    checkNow.addEventListener('click', async () => {
      checkNow.disabled = true;
      checkNow.setAttribute('aria-busy', 'true');
      try {
        const record = await api.post<HealthRecord>(`${path}/health`, {});
        if (store.connection !== 'live') {
          store.apply({ type: 'check', data: { ...record } });
        }
        lastCheck = record;
        const label = statusLabel(record.status);
        toast(
          `Check of ${service.name}: ${label.text}, ${formatLatency(record.latencyMs)}`,
          record.status === 'error' ? 'error' : 'success',
          record.cause ?? record.message,
        );
        updateHead();
      } catch (error) {
        showError(error, 'The check could not run');
      } finally {
        checkNow.disabled = false;
        checkNow.removeAttribute('aria-busy');
      }
    });
    const cause = h('div', { class: 'cause', role: 'note', hidden: true, 'data-testid': 'cause' });
    const uptimeValue = h('dd', { 'data-testid': 'uptime' });
    const uptimeNote = h('dd', { class: 'stat-note' });
    const latencyValue = h('dd', { class: 'num', 'data-testid': 'latency' });
    const lastCheckValue = timeAgo(service.lastHealthCheck);
    const enabledValue = h('dd');
    const runningValue = h('dd');

    function updateHead(): void {
      service = store.services.get(id) ?? service;
      updateStatusBadge(badge, service.status);
      setText(enabledChip, service.enabled ? '● enabled' : '○ disabled');
      enabledChip.dataset.enabled = String(service.enabled);
      setText(toggle, service.enabled ? 'Disable…' : 'Enable…');
      toggle.className = `button ${service.enabled ? 'danger-outline' : 'primary'}`;
      setText(enabledValue, service.enabled ? 'Yes' : 'No');
      setText(
        runningValue,
        service.missing ? 'Missing (not found)' : service.running ? 'Yes, in this process' : 'No',
      );
      setText(latencyValue, formatLatency(service.latencyMs));
      updateTime(lastCheckValue, service.lastHealthCheck);
      setText(uptimeValue, formatRatio(uptime.ratio));
      setText(uptimeNote, uptime.checks === 0 ? 'no checks' : `${uptime.active} of ${uptime.checks} checks`);
      const failing = service.status === 'error' || service.missing;
      const reasons = [
        service.statusMessage,
        lastCheck && lastCheck.status === 'error' ? lastCheck.cause : null,
        lastCheck && lastCheck.status === 'error' ? lastCheck.message : null,
      ].filter((r, i, all): r is string => typeof r === 'string' && r !== '' && all.indexOf(r) === i);
      cause.hidden = !failing || reasons.length === 0;
      cause.replaceChildren(h('strong', null, 'Cause of failure: '), reasons.join(' — '));
    }

    // ── Health history chart ──
    const chartBox = h('div', { class: 'chart' });
    const recent = h('tbody');
    function renderHistory(): void {
      const records = store.history.get(id) ?? [];
      const model = healthChart(records, { width: 600, height: 120, slots: 60 });
      chartBox.replaceChildren(
        h(
          'div',
          { class: 'chart-axis' },
          h('span', null, formatLatency(model.maxLatencyMs)),
          h('span', null, '0 ms'),
        ),
        s(
          'svg',
          {
            class: 'chart-svg',
            viewBox: `0 0 ${model.width} ${model.height}`,
            preserveAspectRatio: 'none',
            role: 'img',
            'aria-label': `Latency of recent checks: ${model.summary}`,
            'data-testid': 'health-chart',
          },
          s('line', {
            class: 'chart-grid',
            x1: 0,
            x2: model.width,
            y1: model.height / 2,
            y2: model.height / 2,
          }),
          s('line', {
            class: 'chart-grid',
            x1: 0,
            x2: model.width,
            y1: model.height - 0.5,
            y2: model.height - 0.5,
          }),
          model.bars.map((bar) =>
            s(
              'rect',
              { class: `bar status-${bar.status}`, x: bar.x, y: bar.y, width: bar.width, height: bar.height },
              s('title', null, bar.label),
            ),
          ),
        ),
        h(
          'p',
          { class: 'chart-caption muted' },
          model.summary,
          ' Oldest left, newest right; red bars are failed checks.',
        ),
      );
      const now = Date.now();
      recent.replaceChildren(
        ...records
          .slice(0, 10)
          .map((r) =>
            h(
              'tr',
              null,
              h('td', { 'data-label': 'When' }, timeAgo(r.checkedAt, now)),
              h('td', { 'data-label': 'Status' }, statusBadge(r.status)),
              h('td', { 'data-label': 'Latency', class: 'num' }, formatLatency(r.latencyMs)),
              h('td', { 'data-label': 'Message' }, r.cause ?? r.message ?? ''),
            ),
          ),
      );
    }
    const loadHistory = async (): Promise<void> => {
      try {
        store.setHistory(id, await api.get<HealthRecord[]>(`${path}/health?limit=100`));
        if (!destroyed) renderHistory();
      } catch (error) {
        chartBox.replaceChildren(errorBox(error, () => void loadHistory()));
      }
    };

    // ── Neighbours ──
    const neighbourBadges = new Map<string, HTMLElement[]>();
    const neighbourList = (list: readonly ServiceSummary[], none: string): HTMLElement => {
      if (list.length === 0) return h('p', { class: 'muted' }, none);
      return h(
        'ul',
        { class: 'link-list' },
        list.map((n) => {
          const b = statusBadge(store.services.get(n.id)?.status ?? n.status);
          neighbourBadges.set(n.id, [...(neighbourBadges.get(n.id) ?? []), b]);
          return h('li', null, b, ' ', serviceLink(n.id, n.name), h('span', { class: 'service-id' }, n.id));
        }),
      );
    };
    const missingDeps = service.dependencies.filter((d) => !detail.dependencies.some((x) => x.id === d));

    // ── Processes, settings, history, audit ──
    const processes = h('div', null, serviceInstancesTable(detail.instances));
    const history = ctx.canManage ? configHistory(id, ctx.canManage, () => void reloadConfig()) : null;
    const editor = ctx.canManage ? configEditor(id, () => void history?.load()) : null;
    const reloadConfig = async (): Promise<void> => {
      await Promise.all([editor?.load(), history?.load()]);
    };
    const audit = ctx.canManage ? auditList({ showService: false, limit: 20 }) : null;
    const loadAudit = async (): Promise<void> => {
      if (!audit) return;
      try {
        audit.set(await api.get<AuditEntry[]>(`/api/audit?serviceId=${encodeURIComponent(id)}&limit=20`));
      } catch (error) {
        audit.element.replaceChildren(errorBox(error));
      }
    };

    fill(
      element,
      h(
        'nav',
        { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
        h('a', { href: '/' }, 'Services'),
        ' › ',
        h('span', { 'aria-current': 'page' }, service.name),
      ),
      h(
        'div',
        { class: 'detail-head' },
        h('div', { class: 'detail-title' }, h('h1', { tabindex: '-1' }, service.name), badge, enabledChip),
        h(
          'div',
          { class: 'detail-actions' },
          ctx.canManage ? toggle : null,
          ctx.canManage ? reload : null,
          checkNow,
        ),
      ),
      h(
        'p',
        { class: 'muted detail-meta' },
        h('code', null, service.id),
        ` · ${service.type}`,
        service.version ? ` · v${service.version}` : '',
        service.source ? ` · ${service.source}` : '',
      ),
      service.description ? h('p', { class: 'description' }, service.description) : null,
      service.tags.length > 0
        ? h(
            'p',
            { class: 'tags' },
            service.tags.map((t) => h('a', { class: 'chip', href: `/?tag=${encodeURIComponent(t)}` }, t)),
          )
        : null,
      cause,
      h(
        'dl',
        { class: 'stats' },
        h('div', null, h('dt', null, `Uptime (${uptime.windowHours} h)`), uptimeValue, uptimeNote),
        h('div', null, h('dt', null, 'Latency'), latencyValue),
        h('div', null, h('dt', null, 'Last check'), h('dd', null, lastCheckValue)),
        h('div', null, h('dt', null, 'Enabled'), enabledValue),
        h('div', null, h('dt', null, 'Running'), runningValue),
      ),
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'health-title' },
        h('h2', { id: 'health-title' }, 'Health history'),
        chartBox,
        h(
          'details',
          { class: 'recent-checks' },
          h('summary', null, 'Recent checks'),
          h(
            'div',
            { class: 'table-scroll' },
            h(
              'table',
              { class: 'table compact' },
              h(
                'thead',
                null,
                h(
                  'tr',
                  null,
                  ['When', 'Status', 'Latency', 'Message'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              recent,
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'deps-title' },
          h('h2', { id: 'deps-title' }, 'Depends on'),
          neighbourList(detail.dependencies, 'No dependencies.'),
          missingDeps.length > 0
            ? h('p', { class: 'warn-text' }, `Not in the catalog: ${missingDeps.join(', ')}`)
            : null,
        ),
        h(
          'section',
          { class: 'panel', 'aria-labelledby': 'dependents-title' },
          h('h2', { id: 'dependents-title' }, 'Needed by'),
          neighbourList(detail.dependents, 'Nothing depends on it.'),
        ),
      ),
      editor
        ? h(
            'section',
            { class: 'panel', 'aria-labelledby': 'config-title' },
            h('h2', { id: 'config-title' }, 'Settings'),
            editor.element,
          )
        : null,
      history
        ? h(
            'section',
            { class: 'panel', 'aria-labelledby': 'history-title' },
            h('h2', { id: 'history-title' }, 'Settings history'),
            history.element,
          )
        : null,
      audit
        ? h(
            'section',
            { class: 'panel', 'aria-labelledby': 'audit-title' },
            h('h2', { id: 'audit-title' }, 'Audit log'),
            audit.element,
          )
        : null,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'processes-title' },
        h('h2', { id: 'processes-title' }, 'Processes'),
        processes,
      ),
    );
    updateHead();
    renderHistory();
    void loadHistory();
    void editor?.load();
    void history?.load();
    void loadAudit();

    let uptimeTimer: number | undefined;
    const refreshUptime = (): void => {
      if (uptimeTimer !== undefined) return;
      uptimeTimer = window.setTimeout(async () => {
        uptimeTimer = undefined;
        try {
          uptime = await api.get<Uptime>(`${path}/uptime`);
          if (!destroyed) updateHead();
        } catch {
          // Shown again on the next check.
        }
      }, 3000);
    };
    cleanups.push(() => window.clearTimeout(uptimeTimer));

    cleanups.push(
      store.subscribe((changes: readonly StoreChange[]) => {
        for (const change of changes) {
          switch (change.kind) {
            case 'service': {
              if (change.id === id) updateHead();
              const badges = neighbourBadges.get(change.id);
              const other = store.services.get(change.id);
              if (badges && other) for (const b of badges) updateStatusBadge(b, other.status);
              break;
            }
            case 'services':
              updateHead();
              for (const [otherId, badges] of neighbourBadges) {
                const other = store.services.get(otherId);
                if (other) for (const b of badges) updateStatusBadge(b, other.status);
              }
              break;
            case 'check':
              if (change.id === id) {
                lastCheck = change.record;
                renderHistory();
                refreshUptime();
                updateHead();
              }
              break;
            case 'config':
              if (change.id === id) {
                void editor?.remoteChange();
                void history?.load();
              }
              break;
            case 'audit':
              if (change.entry.serviceId === id) audit?.prepend(change.entry);
              break;
            case 'reload':
              if (change.id === id) refreshSoon();
              break;
            case 'catalog':
              void start();
              break;
            default:
              break;
          }
        }
      }),
    );
    cleanups.push(onTick((now) => tickTimes(element, now)));
  }

  void start();

  return {
    element,
    get title() {
      return view.title;
    },
    destroy: () => {
      destroyed = true;
      window.clearTimeout(refreshTimer);
      for (const cleanup of cleanups.splice(0)) cleanup();
    },
  };
}
