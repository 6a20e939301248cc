/** Filtering, searching, sorting and counting services for the overview (no DOM). */
import { SERVICE_TYPES, type ServiceSummary, type ServiceType, STATUSES, type Status } from './types.js';

export interface ServiceFilters {
  /** Free text: matches id, name, description and tags (every word must match). */
  readonly q: string;
  readonly type: ServiceType | '';
  readonly status: Status | '';
  readonly tag: string;
}

export type SortKey = 'name' | 'status' | 'latency' | 'lastCheck' | 'type';
export interface SortOrder {
  readonly key: SortKey;
  readonly descending: boolean;
}

export const NO_FILTERS: ServiceFilters = { q: '', type: '', status: '', tag: '' };
export const DEFAULT_SORT: SortOrder = { key: 'name', descending: false };

/** The words of a search, lower-cased. */
export function searchTerms(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter(Boolean);
}

/** Whether a service passes the filters. */
export function matchesFilters(
  service: ServiceSummary,
  filters: ServiceFilters,
  terms = searchTerms(filters.q),
): boolean {
  if (filters.type && service.type !== filters.type) return false;
  if (filters.status && service.status !== filters.status) return false;
  if (filters.tag && !service.tags.includes(filters.tag)) return false;
  if (terms.length === 0) return true;
  const haystack =
    `${service.id}\n${service.name}\n${service.description}\n${service.tags.join('\n')}`.toLowerCase();
  return terms.every((term) => haystack.includes(term));
}

/** The services that pass the filters, in their order. */
export function filterServices(
  services: readonly ServiceSummary[],
  filters: ServiceFilters,
): ServiceSummary[] {
  const terms = searchTerms(filters.q);
  return services.filter((service) => matchesFilters(service, filters, terms));
}

/** Errors first when sorting by status. */
const STATUS_RANK: Record<Status, number> = { error: 0, unknown: 1, inactive: 2, active: 3 };

/** Compares numbers where null (no value) always sorts last, whatever the direction. */
function compareNullable(a: number | null, b: number | null, sign: number): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return sign * (a - b);
}

const checkedAt = (s: ServiceSummary): number | null =>
  s.lastHealthCheck ? Date.parse(s.lastHealthCheck) : null;

/** A comparator for a sort order; ties fall back to the id, so the order is stable and total. */
export function compareServices(order: SortOrder): (a: ServiceSummary, b: ServiceSummary) => number {
  const sign = order.descending ? -1 : 1;
  const byKey = (a: ServiceSummary, b: ServiceSummary): number => {
    switch (order.key) {
      case 'name':
        return sign * a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });
      case 'status':
        return sign * (STATUS_RANK[a.status] - STATUS_RANK[b.status]);
      case 'type':
        return sign * a.type.localeCompare(b.type);
      case 'latency':
        return compareNullable(a.latencyMs, b.latencyMs, sign);
      case 'lastCheck':
        return compareNullable(checkedAt(a), checkedAt(b), sign);
    }
  };
  return (a, b) => byKey(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function sortServices(services: readonly ServiceSummary[], order: SortOrder): ServiceSummary[] {
  return [...services].sort(compareServices(order));
}

/** How many services have each status. */
export function countByStatus(services: Iterable<ServiceSummary>): Record<Status, number> {
  const counts: Record<Status, number> = { active: 0, inactive: 0, error: 0, unknown: 0 };
  for (const service of services) counts[service.status] = (counts[service.status] ?? 0) + 1;
  return counts;
}

/** Every tag in use, sorted. */
export function allTags(services: Iterable<ServiceSummary>): string[] {
  const tags = new Set<string>();
  for (const service of services) for (const tag of service.tags) tags.add(tag);
  return [...tags].sort((a, b) => a.localeCompare(b));
}

/** The filters in a query string (`?q=…&type=…&status=…&tag=…`), ignoring invalid values. */
export function parseFilters(search: string): ServiceFilters {
  const params = new URLSearchParams(search);
  const type = params.get('type') ?? '';
  const status = params.get('status') ?? '';
  return {
    q: params.get('q') ?? '',
    type: (SERVICE_TYPES as readonly string[]).includes(type) ? (type as ServiceType) : '',
    status: (STATUSES as readonly string[]).includes(status) ? (status as Status) : '',
    tag: params.get('tag') ?? '',
  };
}

/** The query string of filters ('' without any). */
export function serializeFilters(filters: ServiceFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.type) params.set('type', filters.type);
  if (filters.status) params.set('status', filters.status);
  if (filters.tag) params.set('tag', filters.tag);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export interface AuditFilters {
  readonly serviceId: string;
  readonly actor: string;
  readonly action: string;
  readonly result: '' | 'ok' | 'failed' | 'denied';
}

/** Whether a (live) audit entry belongs in a list filtered like the API filters it. */
export function matchesAudit(
  entry: { serviceId: string | null; actor: string; action: string; result: string },
  filters: AuditFilters,
): boolean {
  if (filters.serviceId && entry.serviceId !== filters.serviceId) return false;
  if (filters.actor && entry.actor !== filters.actor) return false;
  if (filters.action && entry.action !== filters.action) return false;
  if (filters.result && entry.result !== filters.result) return false;
  return true;
}
