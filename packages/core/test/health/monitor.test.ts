import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpCheck, startTestServer, type TestServer } from '../../../../tests/support/http-server.js';
import { HealthMonitor } from '../../src/health/monitor.js';
import type { HealthCheckRecord, HealthTarget, StatusChange } from '../../src/health/types.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/metadata.js';
import type { HealthCheckSettings } from '../../src/types.js';

let server: TestServer;
let monitor: HealthMonitor | undefined;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await monitor?.stop(0);
  monitor = undefined;
});

function target(
  path: string,
  settings: Partial<HealthCheckSettings> = {},
  dependencies: string[] = [],
): HealthTarget {
  return {
    check: httpCheck(`${server.url}${path}`),
    settings: { ...DEFAULT_HEALTH_CHECK, ...settings },
    dependencies,
  };
}

function recorder(m: HealthMonitor) {
  const changes: StatusChange[] = [];
  const checks: HealthCheckRecord[] = [];
  m.on('statusChange', (change) => changes.push(change));
  m.on('check', (record) => checks.push(record));
  return { changes, checks };
}

describe('HealthMonitor', () => {
  it('GIVEN a healthy endpoint THEN a check records active with latency, message and instance', async () => {
    monitor = new HealthMonitor({ instanceId: 'bot-1' });
    const seen = recorder(monitor);
    monitor.track('api', target('/ok'));
    const record = await monitor.checkNow('api');
    expect(record).toMatchObject({
      serviceId: 'api',
      instanceId: 'bot-1',
      status: 'active',
      message: '200 OK',
      cause: null,
    });
    expect(record?.latencyMs).toBeGreaterThan(0);
    expect(monitor.health('api')?.status).toBe('active');
    expect(seen.changes.map((c) => [c.service, c.from, c.to])).toEqual([['api', 'unknown', 'active']]);
  });

  it('GIVEN an endpoint that hangs THEN the check fails at its timeout with the reason and others are not held up', async () => {
    monitor = new HealthMonitor({ concurrency: 4 });
    monitor.track('stuck', target('/hang', { timeoutMs: 300, failureThreshold: 1 }));
    monitor.track('fine', target('/ok'));
    const started = performance.now();
    const [stuck, fine] = await Promise.all([monitor.checkNow('stuck'), monitor.checkNow('fine')]);
    expect(fine?.status).toBe('active');
    expect(stuck).toMatchObject({ status: 'error', message: 'no answer within 300 ms (timed out)' });
    expect(stuck?.latencyMs).toBeGreaterThanOrEqual(295);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(monitor.health('stuck')?.status).toBe('error');
  });

  it('GIVEN a check that throws or returns nonsense THEN it is a failed check saying why', async () => {
    monitor = new HealthMonitor();
    const settings = { ...DEFAULT_HEALTH_CHECK, failureThreshold: 1 };
    monitor.track('throws', {
      check: () => {
        throw new Error('ECONNREFUSED 127.0.0.1:6379');
      },
      settings,
      dependencies: [],
    });
    monitor.track('nonsense', { check: () => ({ status: 'fine' }) as never, settings, dependencies: [] });
    expect(await monitor.checkNow('throws')).toMatchObject({
      status: 'error',
      message: 'check failed: ECONNREFUSED 127.0.0.1:6379',
    });
    expect(await monitor.checkNow('nonsense')).toMatchObject({
      status: 'error',
      message: 'check returned {"status":"fine"}, not one of active, inactive, error, unknown',
    });
  });

  it('GIVEN failures THEN the status turns error only after the failure threshold, and recovers after successes', async () => {
    monitor = new HealthMonitor();
    const seen = recorder(monitor);
    server.setFlap(200);
    monitor.track('flappy', target('/flap', { failureThreshold: 3, successThreshold: 2 }));
    await monitor.checkNow('flappy', true);
    expect(monitor.health('flappy')?.status).toBe('unknown');
    await monitor.checkNow('flappy', true);
    server.setFlap(500);
    const statuses: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      await monitor.checkNow('flappy', true);
      statuses.push(monitor.health('flappy')?.status as string);
    }
    server.setFlap(200);
    for (let i = 0; i < 2; i += 1) {
      await monitor.checkNow('flappy', true);
      statuses.push(monitor.health('flappy')?.status as string);
    }
    expect(statuses).toEqual(['active', 'active', 'error', 'error', 'active']);
    expect(seen.changes.map((c) => `${c.from}→${c.to}`)).toEqual([
      'unknown→active',
      'active→error',
      'error→active',
    ]);
    expect(seen.changes[1]?.message).toBe('answered 500');
  });

  it('GIVEN a single blip THEN no status change is emitted', async () => {
    monitor = new HealthMonitor();
    server.setFlap(200);
    monitor.track('steady', target('/flap'));
    await monitor.checkNow('steady', true);
    const seen = recorder(monitor);
    server.setFlap(503);
    await monitor.checkNow('steady', true);
    server.setFlap(200);
    await monitor.checkNow('steady', true);
    expect(seen.checks.map((c) => c.status)).toEqual(['error', 'active']);
    expect(seen.changes).toEqual([]);
    expect(monitor.health('steady')?.status).toBe('active');
  });

  it('GIVEN a dependency in error THEN a failing dependent records the root dependency as its cause', async () => {
    monitor = new HealthMonitor();
    const seen = recorder(monitor);
    const settings = { failureThreshold: 1 };
    monitor.track('database', target('/fail', settings));
    monitor.track('cache', target('/fail', settings, ['database']));
    monitor.track('api', target('/fail', settings, ['cache']));
    monitor.track('unrelated', target('/fail', settings));
    await monitor.checkNow('database');
    await monitor.checkNow('cache');
    const api = await monitor.checkNow('api');
    const unrelated = await monitor.checkNow('unrelated');
    expect(api?.cause).toBe('database');
    expect(unrelated?.cause).toBeNull();
    expect(seen.changes.map((c) => [c.service, c.to, c.cause])).toEqual([
      ['database', 'error', null],
      ['cache', 'error', 'database'],
      ['api', 'error', 'database'],
      ['unrelated', 'error', null],
    ]);
    expect(monitor.health('api')?.cause).toBe('database');
  });

  it('GIVEN many slow services and a bound of 5 THEN never more than 5 checks are in flight', async () => {
    monitor = new HealthMonitor({ concurrency: 5 });
    server.inFlight.peak = 0;
    for (let i = 0; i < 40; i += 1) monitor.track(`svc-${i}`, target('/slow?ms=50'));
    const records = await monitor.checkAll(true);
    expect(records.size).toBe(40);
    expect([...records.values()].every((r) => r.status === 'active')).toBe(true);
    expect(monitor.inFlight.peak).toBe(5);
    expect(server.inFlight.peak).toBeLessThanOrEqual(5);
    expect(server.inFlight.peak).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN repeated on-demand checks THEN the cache and an in-flight check are reused', async () => {
    monitor = new HealthMonitor({ cacheTtlMs: 60_000 });
    server.hits.set('/slow', 0);
    monitor.track('cached', target('/slow?ms=100'));
    const [a, b] = await Promise.all([monitor.checkNow('cached'), monitor.checkNow('cached')]);
    expect(a).toBe(b);
    expect(await monitor.checkNow('cached')).toBe(a);
    expect(server.hits.get('/slow')).toBe(1);
    const fresh = await monitor.checkNow('cached', true);
    expect(fresh).not.toBe(a);
    expect(server.hits.get('/slow')).toBe(2);
    expect(monitor.checkNow('untracked')).toBeUndefined();
  });

  it('GIVEN the schedule running THEN each service is checked on its interval, and stop ends it', async () => {
    monitor = new HealthMonitor({ maxStartSpreadMs: 50 });
    const seen = recorder(monitor);
    monitor.track('periodic', target('/ok', { intervalMs: 1_000 }));
    monitor.start();
    await expect.poll(() => seen.checks.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    const [first, second] = seen.checks as [HealthCheckRecord, HealthCheckRecord];
    expect(second.checkedAt.getTime() - first.checkedAt.getTime()).toBeGreaterThanOrEqual(900);
    await monitor.stop();
    const count = seen.checks.length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(seen.checks.length).toBe(count);
  });

  it('GIVEN checks that time out but keep running THEN they keep their slots, and a service is not checked again meanwhile', async () => {
    monitor = new HealthMonitor({ concurrency: 2 });
    const settle: (() => void)[] = [];
    let started = 0;
    const stubborn = () =>
      new Promise<'active'>((resolve) => {
        started += 1;
        settle.push(() => resolve('active'));
      });
    const settings = { ...DEFAULT_HEALTH_CHECK, timeoutMs: 100, failureThreshold: 1 };
    for (let i = 0; i < 4; i += 1)
      monitor.track(`stubborn-${i}`, { check: stubborn, settings, dependencies: [] });
    const first = monitor.checkAll(true);
    await expect.poll(() => started).toBe(2);
    // Both time out; their checks go on, holding the two slots: the others wait.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(started).toBe(2);
    expect(monitor.inFlight.now).toBe(2);
    const again = await monitor.checkNow('stubborn-0', true);
    expect(again?.message).toBe('the previous check is still running after timing out (100 ms)');
    for (const done of settle.splice(0)) done();
    await expect.poll(() => started).toBe(4);
    for (const done of settle.splice(0)) done();
    const records = await first;
    // The first two timed out; the last two ran once slots were free and answered in time.
    expect([...records.values()].map((r) => r.status)).toEqual(['error', 'error', 'active', 'active']);
    expect(monitor.inFlight.peak).toBe(2);
  });

  it('GIVEN scheduled checks queued for a slot WHEN the monitor stops THEN they are not run', async () => {
    monitor = new HealthMonitor({ concurrency: 1, maxStartSpreadMs: 1 });
    server.hits.set('/slow', 0);
    for (let i = 0; i < 5; i += 1) monitor.track(`queued-${i}`, target('/slow?ms=200'));
    monitor.start();
    await expect.poll(() => server.hits.get('/slow')).toBe(1);
    await monitor.stop();
    expect(server.hits.get('/slow')).toBe(1);
    expect(monitor.checksRun).toBe(1);
  });

  it('GIVEN a service reporting itself not configured THEN it is inactive at once, not error', async () => {
    monitor = new HealthMonitor();
    monitor.track('unset', {
      check: () => ({ status: 'inactive', message: 'not configured: apiKey is required' }),
      settings: DEFAULT_HEALTH_CHECK,
      dependencies: [],
    });
    await monitor.checkNow('unset');
    expect(monitor.health('unset')).toMatchObject({
      status: 'inactive',
      message: 'not configured: apiKey is required',
    });
  });
});
