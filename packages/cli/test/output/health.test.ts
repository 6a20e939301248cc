import type { HealthCheckRecord, ServiceStatus } from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { healthRows, healthSummary, renderHealthTable } from '../../src/output/health.js';
import { createStyler } from '../../src/output/style.js';

const AT = new Date('2026-11-23T21:30:00.000Z');

function checked(serviceId: string, status: ServiceStatus, message: string, cause: string | null = null) {
  return {
    serviceId,
    instanceId: 'cli',
    status,
    latencyMs: 4.2,
    message,
    cause,
    checkedAt: AT,
  } satisfies HealthCheckRecord;
}

describe('health results', () => {
  it('GIVEN a failing chain of dependencies checked once THEN each failure names the deepest failing dependency as its cause', () => {
    const records = [
      checked('api', 'error', 'answered 502'),
      checked('cache', 'error', 'timed out'),
      checked('redis', 'error', 'connection refused'),
      checked('web', 'active', '200 OK'),
    ];
    const services = [
      { id: 'api', dependencies: ['cache'] },
      { id: 'cache', dependencies: ['redis'] },
      { id: 'redis', dependencies: [] },
      { id: 'web', dependencies: ['api'] },
    ];
    const rows = healthRows(records, services);
    expect(rows.map((row) => [row.serviceId, row.cause])).toEqual([
      ['api', 'redis'],
      ['cache', 'redis'],
      ['redis', null],
      ['web', null],
    ]);
    expect(renderHealthTable(rows, createStyler(false)).split('\n')).toEqual([
      'ID     STATUS    LATENCY  CAUSE  MESSAGE',
      'api    ✖ error   4 ms     redis  answered 502',
      'cache  ✖ error   4 ms     redis  timed out',
      'redis  ✖ error   4 ms            connection refused',
      'web    ● active  4 ms            200 OK',
    ]);
    expect(healthSummary(rows)).toBe('4 services: 1 active, 3 error.');
  });

  it('GIVEN a service that is not running THEN its row is not checked and keeps its reason', () => {
    const [row] = healthRows(
      [{ ...checked('mailer', 'inactive', 'disabled'), latencyMs: null }],
      [{ id: 'mailer', dependencies: [] }],
    );
    expect(row).toEqual({
      serviceId: 'mailer',
      status: 'inactive',
      checked: false,
      latencyMs: null,
      message: 'disabled',
      cause: null,
      checkedAt: null,
      details: null,
    });
  });
});
