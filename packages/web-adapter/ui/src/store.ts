/**
 * The in-memory state the pages render from, and the reducer of the live stream's events. Changes are
 * reported per service, so views update the affected rows only. No DOM.
 */
import type { AuditEntry, HealthRecord, LiveEvent, ServiceSummary, StatusEvent } from './types.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export type StoreChange =
  /** Fields of one service changed. */
  | { readonly kind: 'service'; readonly id: string }
  /** A status transition (for announcements). */
  | { readonly kind: 'status'; readonly id: string; readonly event: StatusEvent }
  /** A health check was recorded. */
  | { readonly kind: 'check'; readonly id: string; readonly record: HealthRecord }
  /** The whole list was replaced (load, reload). */
  | { readonly kind: 'services' }
  /** Desired state (enabled) changed. */
  | { readonly kind: 'state'; readonly id: string; readonly enabled: boolean | null }
  /** Settings changed (by anyone). */
  | { readonly kind: 'config'; readonly id: string; readonly revision: number }
  /** A service's code was reloaded (by anyone): its version, dependencies, schema may be new. */
  | { readonly kind: 'reload'; readonly id: string; readonly revision: number }
  /** Services were added or removed: reload the list. */
  | { readonly kind: 'catalog' }
  | { readonly kind: 'audit'; readonly entry: AuditEntry }
  /** The stream lost events: reload everything. */
  | { readonly kind: 'reset' }
  | { readonly kind: 'connection'; readonly state: ConnectionState };

export type Listener = (changes: readonly StoreChange[]) => void;

/** Health records kept per service whose history was loaded. */
export const HISTORY_LIMIT = 200;

export class Store {
  /** Services by id, in the order the API listed them. */
  public readonly services = new Map<string, ServiceSummary>();
  /** Recent checks (newest first) of services whose history was loaded. */
  public readonly history = new Map<string, HealthRecord[]>();
  public loaded = false;
  public connection: ConnectionState = 'connecting';
  private readonly pending: LiveEvent[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly seenAudit = new Set<number>();

  public subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(changes: readonly StoreChange[]): void {
    if (changes.length === 0) return;
    for (const listener of [...this.listeners]) listener(changes);
  }

  /** Replaces the list; events that arrived before the first load are applied on top. */
  public setServices(list: readonly ServiceSummary[]): void {
    this.services.clear();
    for (const service of list) this.services.set(service.id, { ...service });
    const first = !this.loaded;
    this.loaded = true;
    const changes: StoreChange[] = [{ kind: 'services' }];
    if (first) for (const event of this.pending.splice(0)) changes.push(...this.reduce(event));
    this.emit(changes);
  }

  /** Stores a fresher copy of one service (from a detail response). */
  public upsertService(service: ServiceSummary): void {
    const known = this.services.has(service.id);
    this.services.set(service.id, { ...service });
    this.emit([known ? { kind: 'service', id: service.id } : { kind: 'services' }]);
  }

  /** Stores a service's history as the API returned it (newest first). */
  public setHistory(id: string, records: readonly HealthRecord[]): void {
    this.history.set(id, records.slice(0, HISTORY_LIMIT));
  }

  public setConnection(state: ConnectionState): void {
    if (state === this.connection) return;
    this.connection = state;
    this.emit([{ kind: 'connection', state }]);
  }

  /** Applies a live event and tells the listeners what changed. */
  public apply(event: LiveEvent): StoreChange[] {
    if (!this.loaded && event.type !== 'reset') {
      this.pending.push(event);
      return [];
    }
    const changes = this.reduce(event);
    this.emit(changes);
    return changes;
  }

  private reduce(event: LiveEvent): StoreChange[] {
    switch (event.type) {
      case 'status': {
        const data = event.data;
        const service = this.services.get(data.serviceId);
        if (!service) return [{ kind: 'status', id: data.serviceId, event: data }];
        service.status = data.to;
        service.statusMessage = data.message ?? data.cause ?? null;
        return [
          { kind: 'service', id: data.serviceId },
          { kind: 'status', id: data.serviceId, event: data },
        ];
      }
      case 'check': {
        const data = event.data;
        const record: HealthRecord = {
          serviceId: data.serviceId,
          instanceId: '',
          status: data.status,
          latencyMs: data.latencyMs,
          message: data.message,
          cause: data.cause,
          checkedAt: data.checkedAt ?? new Date().toISOString(),
        };
        const history = this.history.get(data.serviceId);
        if (history) {
          history.unshift(record);
          if (history.length > HISTORY_LIMIT) history.length = HISTORY_LIMIT;
        }
        const changes: StoreChange[] = [];
        const service = this.services.get(data.serviceId);
        if (service) {
          service.latencyMs = data.latencyMs;
          service.lastHealthCheck = record.checkedAt;
          changes.push({ kind: 'service', id: data.serviceId });
        }
        changes.push({ kind: 'check', id: data.serviceId, record });
        return changes;
      }
      case 'change': {
        const data = event.data;
        if (data.kind === 'catalog' || data.serviceId === '*') return [{ kind: 'catalog' }];
        if (data.kind === 'config') return [{ kind: 'config', id: data.serviceId, revision: data.revision }];
        const service = this.services.get(data.serviceId);
        const changes: StoreChange[] = [];
        if (service && data.service) {
          // A toggle (or a reload) changes the status too (disabled, started, waiting) without a health check.
          const before = service.status;
          Object.assign(service, data.service);
          changes.push({ kind: 'service', id: data.serviceId });
          if (before !== service.status) {
            changes.push({
              kind: 'status',
              id: data.serviceId,
              event: {
                serviceId: data.serviceId,
                from: before,
                to: service.status,
                cause: null,
                message: service.statusMessage,
                at: new Date().toISOString(),
              },
            });
          }
        } else if (service && data.enabled !== null && service.enabled !== data.enabled) {
          service.enabled = data.enabled;
          changes.push({ kind: 'service', id: data.serviceId });
        }
        changes.push(
          data.kind === 'reload'
            ? { kind: 'reload', id: data.serviceId, revision: data.revision }
            : { kind: 'state', id: data.serviceId, enabled: data.enabled },
        );
        return changes;
      }
      case 'audit': {
        if (this.seenAudit.has(event.data.id)) return [];
        this.seenAudit.add(event.data.id);
        if (this.seenAudit.size > 5000) this.seenAudit.clear();
        return [{ kind: 'audit', entry: event.data }];
      }
      case 'reset':
        this.history.clear();
        return [{ kind: 'reset' }];
    }
  }
}

/** Services by their status transitions of one batch, for an announcement like "github is now Error". */
export function statusAnnouncement(
  changes: readonly StoreChange[],
  nameOf: (id: string) => string,
  label: (status: StatusEvent['to']) => string,
): string | null {
  const transitions = changes.flatMap((change) =>
    change.kind === 'status' && change.event.from !== change.event.to ? [change] : [],
  );
  if (transitions.length === 0) return null;
  if (transitions.length > 3) return `${transitions.length} services changed status.`;
  return transitions.map((t) => `${nameOf(t.id)} is now ${label(t.event.to)}.`).join(' ');
}
