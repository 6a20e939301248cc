import { describe, expect, it } from 'vitest';
import { healthChart, niceCeiling } from '../../ui/src/chart.js';
import { formatLatency, formatRatio, relativeTime, statusLabel } from '../../ui/src/format.js';
import { navSection, parseRoute, routePath } from '../../ui/src/router.js';
import type { HealthRecord } from '../../ui/src/types.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');

describe('formatting', () => {
  it('GIVEN times THEN they read as how long ago', () => {
    expect(relativeTime(null, now)).toBe('never');
    expect(relativeTime('2026-01-01T12:00:00.500Z', now)).toBe('just now');
    expect(relativeTime('2026-01-01T11:59:48.000Z', now)).toBe('12 s ago');
    expect(relativeTime('2026-01-01T11:57:00.000Z', now)).toBe('3 min ago');
    expect(relativeTime('2026-01-01T09:00:00.000Z', now)).toBe('3 h ago');
    expect(relativeTime('2025-12-28T12:00:00.000Z', now)).toBe('4 d ago');
  });

  it('GIVEN latencies and ratios THEN they have units, and a dash when missing', () => {
    expect(formatLatency(null)).toBe('—');
    expect(formatLatency(12.4)).toBe('12 ms');
    expect(formatLatency(1250)).toBe('1.25 s');
    expect(formatRatio(null)).toBe('—');
    expect(formatRatio(1)).toBe('100 %');
    expect(formatRatio(0.9951)).toBe('99.5 %');
  });

  it('GIVEN each status THEN it has a symbol and a word, so colour is not the only signal', () => {
    for (const status of ['active', 'inactive', 'error', 'unknown'] as const) {
      const label = statusLabel(status);
      expect(label.symbol).not.toBe('');
      expect(label.text.toLowerCase()).toBe(status);
    }
    expect(
      new Set(['active', 'inactive', 'error', 'unknown'].map((s) => statusLabel(s as 'active').symbol)).size,
    ).toBe(4);
  });
});

describe('routes', () => {
  it('GIVEN the paths the server serves THEN each maps to its page and back', () => {
    expect(parseRoute('/')).toEqual({ name: 'overview' });
    expect(parseRoute('/services')).toEqual({ name: 'overview' });
    expect(parseRoute('/services/github')).toEqual({ name: 'detail', id: 'github' });
    expect(parseRoute('/graph/')).toEqual({ name: 'graph' });
    expect(parseRoute('/audit')).toEqual({ name: 'audit' });
    expect(parseRoute('/tokens')).toEqual({ name: 'tokens' });
    expect(parseRoute('/login-required')).toEqual({ name: 'login' });
    expect(parseRoute('/api/x')).toEqual({ name: 'not-found', path: '/api/x' });
    expect(parseRoute('/services/%E0%A4%A')).toMatchObject({ name: 'not-found' });
    expect(routePath({ name: 'detail', id: 'issues-sync' })).toBe('/services/issues-sync');
    expect(navSection({ name: 'detail', id: 'x' })).toBe('overview');
  });
});

describe('health chart', () => {
  const record = (i: number, status: HealthRecord['status'], latencyMs: number | null): HealthRecord => ({
    serviceId: 'db',
    instanceId: 'i',
    status,
    latencyMs,
    message: null,
    cause: status === 'error' ? 'timeout' : null,
    checkedAt: new Date(now - i * 60_000).toISOString(),
  });

  it('GIVEN a maximum THEN the scale rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(0)).toBe(10);
    expect(niceCeiling(37)).toBe(50);
    expect(niceCeiling(120)).toBe(200);
    expect(niceCeiling(1000)).toBe(1000);
  });

  it('GIVEN checks newest first THEN bars run oldest left to newest right, scaled by latency', () => {
    const chart = healthChart([record(0, 'active', 50), record(1, 'active', 100), record(2, 'error', null)], {
      width: 300,
      height: 100,
      slots: 3,
    });
    expect(chart.maxLatencyMs).toBe(100);
    expect(chart.bars.map((b) => b.status)).toEqual(['error', 'active', 'active']);
    expect(chart.bars.map((b) => b.x)).toEqual([0, 100, 200]);
    expect(chart.bars[0]?.height).toBe(100);
    expect(chart.bars[1]?.height).toBe(100);
    expect(chart.bars[2]?.height).toBe(50);
    expect(chart.bars[0]?.label).toContain('timeout');
    expect(chart.summary).toBe('3 most recent checks, 1 failed; latency up to 100 ms.');
  });

  it('GIVEN fewer checks than slots THEN the bars are right-aligned; more THEN only the newest are shown', () => {
    const few = healthChart([record(0, 'active', 5)], { width: 100, height: 10, slots: 10 });
    expect(few.bars[0]?.x).toBe(90);
    const many = healthChart(
      Array.from({ length: 100 }, (_, i) => record(i, 'active', i)),
      { slots: 60 },
    );
    expect(many.bars).toHaveLength(60);
    expect(healthChart([]).summary).toBe('No checks yet.');
  });
});
