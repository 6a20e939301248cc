import { describe, expect, it } from 'vitest';
import { Store, type StoreChange, statusAnnouncement } from '../../ui/src/store.js';
import type { AuditEntry } from '../../ui/src/types.js';
import { service } from './fixtures.js';

function loaded(): { store: Store; seen: StoreChange[][] } {
  const store = new Store();
  store.setServices([service('database'), service('github', { enabled: false, status: 'inactive' })]);
  const seen: StoreChange[][] = [];
  store.subscribe((changes) => seen.push([...changes]));
  return { store, seen };
}

const audit = (id: number): AuditEntry => ({
  id,
  actor: 'owner',
  adapter: 'web',
  origin: null,
  action: 'enable',
  serviceId: 'github',
  result: 'ok',
  details: {},
  instanceId: null,
  at: '2026-01-01T00:00:00.000Z',
});

describe('live event store', () => {
  it('GIVEN a status event THEN the service takes the new status and message and one service change is reported', () => {
    const { store, seen } = loaded();
    store.apply({
      type: 'status',
      data: {
        serviceId: 'database',
        from: 'active',
        to: 'error',
        cause: 'check',
        message: 'timeout',
        at: null,
      },
    });
    expect(store.services.get('database')).toMatchObject({ status: 'error', statusMessage: 'timeout' });
    expect(seen[0]?.map((c) => c.kind)).toEqual(['service', 'status']);
  });

  it('GIVEN a check event THEN latency and last check update, and loaded history gets the record first', () => {
    const { store } = loaded();
    store.setHistory('database', []);
    store.apply({
      type: 'check',
      data: {
        serviceId: 'database',
        status: 'active',
        latencyMs: 12,
        message: 'ok',
        cause: null,
        checkedAt: '2026-01-01T00:00:05.000Z',
      },
    });
    expect(store.services.get('database')).toMatchObject({
      latencyMs: 12,
      lastHealthCheck: '2026-01-01T00:00:05.000Z',
    });
    expect(store.history.get('database')?.[0]).toMatchObject({ latencyMs: 12, status: 'active' });
    expect(store.history.has('github')).toBe(false);
  });

  it('GIVEN a state change with enabled THEN the toggle state follows; the same state again reports no service change', () => {
    const { store, seen } = loaded();
    store.apply({ type: 'change', data: { kind: 'state', serviceId: 'github', revision: 3, enabled: true } });
    expect(store.services.get('github')?.enabled).toBe(true);
    expect(seen[0]?.map((c) => c.kind)).toEqual(['service', 'state']);
    store.apply({ type: 'change', data: { kind: 'state', serviceId: 'github', revision: 4, enabled: true } });
    expect(seen[1]?.map((c) => c.kind)).toEqual(['state']);
  });

  it('GIVEN a state change carrying the service THEN its status follows too, reported as a status transition', () => {
    const { store } = loaded();
    const changes = store.apply({
      type: 'change',
      data: {
        kind: 'state',
        serviceId: 'database',
        revision: 3,
        enabled: false,
        service: service('database', { enabled: false, status: 'inactive', statusMessage: 'disabled' }),
      },
    });
    expect(store.services.get('database')).toMatchObject({
      enabled: false,
      status: 'inactive',
      statusMessage: 'disabled',
    });
    expect(changes.map((c) => c.kind)).toEqual(['service', 'status', 'state']);
  });

  it('GIVEN config and catalog changes THEN they are reported for the views to re-fetch', () => {
    const { store } = loaded();
    expect(
      store.apply({
        type: 'change',
        data: { kind: 'config', serviceId: 'github', revision: 5, enabled: null },
      }),
    ).toEqual([{ kind: 'config', id: 'github', revision: 5 }]);
    expect(
      store.apply({ type: 'change', data: { kind: 'catalog', serviceId: '*', revision: 6, enabled: null } }),
    ).toEqual([{ kind: 'catalog' }]);
  });

  it('GIVEN a reload carrying the service THEN its new version is taken and a reload is reported for the views to re-fetch', () => {
    const { store } = loaded();
    store.services.set('database', { ...service('database'), version: '1.0.0' });
    const changes = store.apply({
      type: 'change',
      data: {
        kind: 'reload',
        serviceId: 'database',
        revision: 9,
        enabled: true,
        service: service('database', { version: '1.1.0' }),
      },
    });
    expect(store.services.get('database')?.version).toBe('1.1.0');
    expect(changes).toEqual([
      { kind: 'service', id: 'database' },
      { kind: 'reload', id: 'database', revision: 9 },
    ]);
  });

  it('GIVEN the same audit entry twice (a reconnect replays it) THEN it is reported once', () => {
    const { store } = loaded();
    expect(store.apply({ type: 'audit', data: audit(7) })).toHaveLength(1);
    expect(store.apply({ type: 'audit', data: audit(7) })).toHaveLength(0);
  });

  it('GIVEN events before the first load THEN they are applied on top of the loaded list', () => {
    const store = new Store();
    store.apply({
      type: 'status',
      data: { serviceId: 'database', from: 'unknown', to: 'error', cause: null, message: 'down', at: null },
    });
    expect(store.services.size).toBe(0);
    store.setServices([service('database')]);
    expect(store.services.get('database')?.status).toBe('error');
  });

  it('GIVEN a reset THEN history is dropped and a reset is reported', () => {
    const { store } = loaded();
    store.setHistory('database', []);
    expect(store.apply({ type: 'reset', data: { reason: 'gap' } })).toEqual([{ kind: 'reset' }]);
    expect(store.history.size).toBe(0);
  });

  it('GIVEN an event for an unknown service THEN nothing breaks', () => {
    const { store } = loaded();
    expect(() =>
      store.apply({
        type: 'check',
        data: {
          serviceId: 'ghost',
          status: 'error',
          latencyMs: null,
          message: null,
          cause: null,
          checkedAt: null,
        },
      }),
    ).not.toThrow();
    expect(store.services.has('ghost')).toBe(false);
  });

  it('GIVEN connection changes THEN only real changes are reported', () => {
    const { store, seen } = loaded();
    store.setConnection('live');
    store.setConnection('live');
    expect(seen).toEqual([[{ kind: 'connection', state: 'live' }]]);
  });

  it('GIVEN status transitions THEN the announcement names them, and summarises many', () => {
    const transition = (id: string): StoreChange => ({
      kind: 'status',
      id,
      event: { serviceId: id, from: 'active', to: 'error', cause: null, message: null, at: null },
    });
    const label = (s: string): string => s.toUpperCase();
    expect(statusAnnouncement([transition('db')], (id) => `Service ${id}`, label)).toBe(
      'Service db is now ERROR.',
    );
    expect(statusAnnouncement(['a', 'b', 'c', 'd'].map(transition), (id) => id, label)).toBe(
      '4 services changed status.',
    );
    expect(statusAnnouncement([{ kind: 'services' }], (id) => id, label)).toBeNull();
  });
});
