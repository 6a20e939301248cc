import { describe, expect, it } from 'vitest';
import {
  allTags,
  countByStatus,
  filterServices,
  matchesAudit,
  NO_FILTERS,
  parseFilters,
  serializeFilters,
  sortServices,
} from '../../ui/src/filter.js';
import { service } from './fixtures.js';

const catalog = [
  service('database', { name: 'Database', tags: ['storage'], description: 'PostgreSQL', latencyMs: 4 }),
  service('github', {
    name: 'GitHub',
    type: 'external',
    tags: ['integration'],
    status: 'error',
    latencyMs: 300,
  }),
  service('cache', { name: 'Redis cache', tags: ['storage'], status: 'inactive', enabled: false }),
  service('wolfram', { name: 'Wolfram Alpha', type: 'wrapper', status: 'unknown' }),
];

describe('service filters', () => {
  it('GIVEN no filters THEN every service passes', () => {
    expect(filterServices(catalog, NO_FILTERS)).toHaveLength(4);
  });

  it('GIVEN a search of several words THEN a service must match all of them in id, name, description or tags', () => {
    expect(filterServices(catalog, { ...NO_FILTERS, q: 'redis STORAGE' }).map((s) => s.id)).toEqual([
      'cache',
    ]);
    expect(filterServices(catalog, { ...NO_FILTERS, q: 'postgres' }).map((s) => s.id)).toEqual(['database']);
    expect(filterServices(catalog, { ...NO_FILTERS, q: 'redis github' })).toEqual([]);
  });

  it('GIVEN type, status and tag filters THEN they combine', () => {
    expect(filterServices(catalog, { ...NO_FILTERS, tag: 'storage' }).map((s) => s.id)).toEqual([
      'database',
      'cache',
    ]);
    expect(
      filterServices(catalog, { ...NO_FILTERS, tag: 'storage', status: 'inactive' }).map((s) => s.id),
    ).toEqual(['cache']);
    expect(filterServices(catalog, { ...NO_FILTERS, type: 'external' }).map((s) => s.id)).toEqual(['github']);
  });

  it('GIVEN services THEN counts per status include every status, zero when absent', () => {
    expect(countByStatus(catalog)).toEqual({ active: 1, inactive: 1, error: 1, unknown: 1 });
    expect(countByStatus([])).toEqual({ active: 0, inactive: 0, error: 0, unknown: 0 });
  });

  it('GIVEN services THEN the tags in use are listed once, sorted', () => {
    expect(allTags(catalog)).toEqual(['integration', 'storage']);
  });

  it('GIVEN sorting by status THEN errors come first and ties fall back to the id', () => {
    expect(sortServices(catalog, { key: 'status', descending: false }).map((s) => s.id)).toEqual([
      'github',
      'wolfram',
      'cache',
      'database',
    ]);
  });

  it('GIVEN sorting by latency THEN services without a latency come last in either direction', () => {
    expect(sortServices(catalog, { key: 'latency', descending: false }).map((s) => s.id)).toEqual([
      'database',
      'github',
      'cache',
      'wolfram',
    ]);
    expect(
      sortServices(catalog, { key: 'latency', descending: true })
        .map((s) => s.id)
        .slice(0, 2),
    ).toEqual(['github', 'database']);
  });

  it('GIVEN sorting by name THEN numbers inside names sort naturally', () => {
    const list = [service('b', { name: 'Service 10' }), service('a', { name: 'Service 9' })];
    expect(sortServices(list, { key: 'name', descending: false }).map((s) => s.name)).toEqual([
      'Service 9',
      'Service 10',
    ]);
  });

  it('GIVEN filters THEN they round-trip through the query string and invalid values are dropped', () => {
    const filters = { q: 'red is', type: 'external', status: 'error', tag: 'a&b' } as const;
    expect(parseFilters(serializeFilters(filters))).toEqual(filters);
    expect(serializeFilters(NO_FILTERS)).toBe('');
    expect(parseFilters('?type=bogus&status=nope&q=x')).toEqual({ ...NO_FILTERS, q: 'x' });
  });

  it('GIVEN audit filters THEN a live entry matches only when every set filter matches', () => {
    const entry = { serviceId: 'github', actor: 'owner', action: 'enable', result: 'ok' };
    expect(matchesAudit(entry, { serviceId: '', actor: '', action: '', result: '' })).toBe(true);
    expect(matchesAudit(entry, { serviceId: 'github', actor: 'owner', action: 'enable', result: 'ok' })).toBe(
      true,
    );
    expect(matchesAudit(entry, { serviceId: 'database', actor: '', action: '', result: '' })).toBe(false);
    expect(matchesAudit(entry, { serviceId: '', actor: '', action: '', result: 'denied' })).toBe(false);
  });
});
