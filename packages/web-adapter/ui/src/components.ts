/** Small pieces shared by the pages: status badges, ticking times, links. */
import { h, setAttr, setText } from './dom.js';
import { formatDateTime, relativeTime, statusLabel } from './format.js';
import type { Instance, ServiceInstance, Status } from './types.js';

/** A status as colour, symbol and word. */
export function statusBadge(status: Status, testid?: string): HTMLElement {
  const badge = h('span', { class: 'badge', 'data-testid': testid });
  updateStatusBadge(badge, status);
  return badge;
}

export function updateStatusBadge(badge: HTMLElement, status: Status): void {
  if (badge.dataset.status === status) return;
  badge.dataset.status = status;
  badge.className = `badge status-${status}`;
  const { symbol, text } = statusLabel(status);
  badge.replaceChildren(h('span', { class: 'badge-symbol', 'aria-hidden': 'true' }, symbol), text);
}

const tickers = new Set<(now: number) => void>();
let timer: number | undefined;

/** Calls `fn` every second (for "12 s ago"); returns the unsubscribe. */
export function onTick(fn: (now: number) => void): () => void {
  tickers.add(fn);
  timer ??= window.setInterval(() => {
    const now = Date.now();
    for (const ticker of tickers) ticker(now);
  }, 1000);
  return () => {
    tickers.delete(fn);
    if (tickers.size === 0 && timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

/** A <time> showing "x s ago", its title the exact time; update with {@link updateTime}. */
export function timeAgo(iso: string | null, now = Date.now()): HTMLTimeElement {
  const element = h('time', { class: 'time-ago' });
  updateTime(element, iso, now);
  return element;
}

export function updateTime(element: HTMLElement, iso: string | null, now = Date.now()): void {
  setAttr(element, 'datetime', iso);
  if (element.dataset.iso !== (iso ?? '')) {
    element.dataset.iso = iso ?? '';
    setAttr(element, 'title', iso ? formatDateTime(iso) : null);
  }
  setText(element, relativeTime(iso, now));
}

/** Refreshes every ticking time inside `root`. */
export function tickTimes(root: ParentNode, now: number): void {
  for (const element of root.querySelectorAll<HTMLElement>('time.time-ago')) {
    const iso = element.dataset.iso || null;
    setText(element, relativeTime(iso, now));
  }
}

export function serviceLink(id: string, text: string): HTMLAnchorElement {
  return h('a', { href: `/services/${encodeURIComponent(id)}` }, text);
}

/** A section with a heading (h2) and an id for its label. */
export function section(title: string, id: string, ...children: HTMLElement[]): HTMLElement {
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...children,
  );
}

/** A service's status in each servicedeck process (its last check there). */
export function serviceInstancesTable(instances: readonly ServiceInstance[]): HTMLElement {
  if (instances.length === 0) return h('p', { class: 'muted' }, 'No processes recorded.');
  const now = Date.now();
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table compact', 'data-testid': 'service-instances' },
      h('caption', { class: 'visually-hidden' }, 'This service in each servicedeck process'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Host', 'PID', 'Process', 'Status here', 'Last check', 'Message'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        instances.map((i) =>
          h(
            'tr',
            { 'data-testid': `service-instance-${i.instanceId}` },
            h(
              'td',
              { 'data-label': 'Host' },
              i.hostname,
              i.self ? h('span', { class: 'chip' }, 'this one') : null,
            ),
            h('td', { 'data-label': 'PID', class: 'num' }, String(i.pid)),
            h('td', { 'data-label': 'Process' }, i.state === 'running' ? '● running' : '○ gone'),
            h('td', { 'data-label': 'Status here' }, i.status ? statusBadge(i.status) : 'not checked'),
            h('td', { 'data-label': 'Last check' }, i.checkedAt ? timeAgo(i.checkedAt, now) : '—'),
            h('td', { 'data-label': 'Message' }, i.message ?? '—'),
          ),
        ),
      ),
    ),
  );
}

/** The processes of servicedeck on this database. */
export function instancesTable(instances: readonly Instance[]): HTMLElement {
  if (instances.length === 0) return h('p', { class: 'muted' }, 'No processes recorded.');
  const now = Date.now();
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'table compact' },
      h('caption', { class: 'visually-hidden' }, 'servicedeck processes'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Host', 'PID', 'Shards', 'Version', 'State', 'Started', 'Last seen', 'Revision'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        instances.map((i) =>
          h(
            'tr',
            null,
            h(
              'td',
              { 'data-label': 'Host' },
              i.hostname,
              i.self ? h('span', { class: 'chip' }, 'this one') : null,
            ),
            h('td', { 'data-label': 'PID', class: 'num' }, String(i.pid)),
            h('td', { 'data-label': 'Shards' }, i.shardIds.length > 0 ? i.shardIds.join(', ') : '—'),
            h('td', { 'data-label': 'Version' }, i.version ?? '—'),
            h('td', { 'data-label': 'State' }, i.state === 'running' ? '● running' : '○ gone'),
            h('td', { 'data-label': 'Started' }, timeAgo(i.startedAt, now)),
            h('td', { 'data-label': 'Last seen' }, timeAgo(i.lastSeenAt, now)),
            h('td', { 'data-label': 'Revision', class: 'num' }, String(i.lastRevision)),
          ),
        ),
      ),
    ),
  );
}
