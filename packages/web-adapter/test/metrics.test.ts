/**
 * The Prometheus metrics as a scraper sees them: a real manager on a real SQLite file, services whose
 * health the test controls, the rendered exposition text read back sample by sample, and checked by
 * Prometheus's own `promtool`.
 */
import { spawnSync } from 'node:child_process';
import {
  type AuditEntry,
  type HealthCheckRecord,
  SERVICEDECK_VERSION,
  type ServiceRegistryManager,
} from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { botServices, manyServices, startDeck } from '../../../tests/support/deck.js';
import { escapeLabelValue, METRICS_CONTENT_TYPE, Metrics } from '../src/metrics.js';

const admin = { actor: 'alice', adapter: 'test' };

/** Every sample of an exposition text, by its series as written (`name{labels}`). */
function samples(text: string): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const raw = line.slice(at + 1);
    result.set(line.slice(0, at), raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw));
  }
  return result;
}

/** The `# TYPE` of each metric family. */
function types(text: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) result.set(match[1] ?? '', match[2] ?? '');
  return result;
}

const running: Metrics[] = [];
afterEach(() => {
  for (const metrics of running.splice(0)) metrics.stop();
});

function startMetrics(...args: ConstructorParameters<typeof Metrics>): Metrics {
  const metrics = new Metrics(...args);
  metrics.start();
  running.push(metrics);
  return metrics;
}

/** A manager whose change feed runs, so it emits `change` events. */
async function startSyncedManager(): Promise<ServiceRegistryManager> {
  return (await startDeck('sqlite', botServices(), [], { sync: true })).manager;
}

function promtoolInstalled(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}
const hasPromtool = promtoolInstalled();
const inCi = process.env.CI === 'true';
if (!hasPromtool && !inCi) {
  console.warn('promtool is not installed: its tests are skipped (run scripts/ensure-promtool.sh).');
}

/** What `promtool check metrics` prints for `text` (nothing when it is valid), and its exit code. */
function promtoolCheck(text: string): { output: string; status: number | null } {
  if (!hasPromtool) {
    throw new Error('promtool is not installed: run scripts/ensure-promtool.sh (CI=true requires it).');
  }
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { output: `${result.stdout}${result.stderr}`, status: result.status };
}

describe('Prometheus metrics', () => {
  it('GIVEN a started deck THEN each service has its enabled flag and one status series per status', async () => {
    const { manager } = await startDeck('sqlite', botServices(), ['digest']);
    const metrics = startMetrics(manager);
    const text = await metrics.render();
    const values = samples(text);

    expect(METRICS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text.endsWith('\n')).toBe(true);
    expect(values.get(`servicedeck_build_info{version="${SERVICEDECK_VERSION}"}`)).toBe(1);
    expect(values.get('servicedeck_service_enabled{service="database",type="internal"}')).toBe(1);
    expect(values.get('servicedeck_service_enabled{service="github",type="external"}')).toBe(1);
    expect(values.get('servicedeck_service_enabled{service="digest",type="internal"}')).toBe(0);
    const statusOf = (id: string, type: string) =>
      ['active', 'inactive', 'error', 'unknown'].map((status) =>
        values.get(`servicedeck_service_status{service="${id}",type="${type}",status="${status}"}`),
      );
    // The disabled service is inactive; exactly one status is 1 for every service.
    expect(statusOf('digest', 'internal')).toEqual([0, 1, 0, 0]);
    for (const [id, type] of [
      ['database', 'internal'],
      ['reminders', 'internal'],
      ['github', 'external'],
    ] as const) {
      const series = statusOf(id, type);
      expect(series.filter((v) => v === 1)).toHaveLength(1);
      expect(series.filter((v) => v === 0)).toHaveLength(3);
    }
    expect(Object.fromEntries(types(text))).toEqual({
      servicedeck_build_info: 'gauge',
      servicedeck_service_enabled: 'gauge',
      servicedeck_service_status: 'gauge',
      servicedeck_health_check_duration_seconds: 'histogram',
      servicedeck_health_checks_total: 'counter',
      servicedeck_toggles_total: 'counter',
      servicedeck_config_changes_total: 'counter',
      servicedeck_reloads_total: 'counter',
      servicedeck_event_loop_delay_seconds: 'summary',
    });
    for (const name of types(text).keys()) expect(text).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
  });

  it('GIVEN health checks of known latency THEN the histogram counts them in cumulative buckets with their sum and count', async () => {
    const { manager, services } = await startDeck('sqlite');
    const metrics = startMetrics(manager, { latencyBuckets: [5, 0.05, 0.5] });
    const database = services.database as NonNullable<typeof services.database>;

    const fast = await manager.checkHealth('database', { fresh: true });
    database.checkDelayMs = 120;
    const slow = await manager.checkHealth('database', { fresh: true });
    const fastMs = fast.latencyMs as number;
    const slowMs = slow.latencyMs as number;
    // The checks fell where the test meant them to.
    expect(fastMs).toBeLessThan(50);
    expect(slowMs).toBeGreaterThan(100);
    expect(slowMs).toBeLessThan(500);

    const values = samples(await metrics.render());
    const series = (suffix: string, labels = '') =>
      values.get(`servicedeck_health_check_duration_seconds_${suffix}{service="database"${labels}}`);
    expect(['0.05', '0.5', '5', '+Inf'].map((le) => series('bucket', `,le="${le}"`))).toEqual([1, 2, 2, 2]);
    expect(series('count')).toBe(2);
    expect(series('sum')).toBeCloseTo((fastMs + slowMs) / 1000, 6);
    expect(values.get('servicedeck_health_checks_total{service="database",outcome="active"}')).toBe(2);
    // Services never checked have no histogram.
    expect([...values.keys()].some((key) => key.includes('service="github",le='))).toBe(false);
  });

  it('GIVEN the default buckets THEN the histogram has the standard bounds from 5 ms to 10 s and +Inf', async () => {
    const { manager } = await startDeck('sqlite');
    const metrics = startMetrics(manager);
    await manager.checkHealth('github', { fresh: true });
    const text = await metrics.render();
    const bounds = [
      ...text.matchAll(
        /^servicedeck_health_check_duration_seconds_bucket\{service="github",le="([^"]+)"\} (\d+)$/gm,
      ),
    ];
    expect(bounds.map((m) => m[1])).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    expect(bounds.at(-1)?.[2]).toBe('1');
  });

  it('GIVEN a service that starts failing its checks THEN its status series switch to error and the failures are counted', async () => {
    const { manager, services } = await startDeck('sqlite');
    const metrics = startMetrics(manager);
    const database = services.database as NonNullable<typeof services.database>;
    await manager.checkHealth('database', { fresh: true });
    const status = (values: Map<string, number>, s: string) =>
      values.get(`servicedeck_service_status{service="database",type="internal",status="${s}"}`);

    let values = samples(await metrics.render());
    expect(status(values, 'active')).toBe(1);
    expect(status(values, 'error')).toBe(0);

    database.healthy = false;
    database.message = 'connection refused';
    await manager.checkHealth('database', { fresh: true });
    await manager.checkHealth('database', { fresh: true });
    values = samples(await metrics.render());
    expect(status(values, 'active')).toBe(0);
    expect(status(values, 'error')).toBe(1);
    expect(values.get('servicedeck_health_checks_total{service="database",outcome="active"}')).toBe(1);
    expect(values.get('servicedeck_health_checks_total{service="database",outcome="error"}')).toBe(2);
    expect(values.get('servicedeck_health_check_duration_seconds_count{service="database"}')).toBe(3);
  });

  it('GIVEN a service disabled THEN its enabled gauge drops to 0 and its status to inactive', async () => {
    const { manager } = await startDeck('sqlite');
    const metrics = startMetrics(manager);
    await manager.disableService('reminders', { ...admin, cascade: true });
    const values = samples(await metrics.render());
    expect(values.get('servicedeck_service_enabled{service="reminders",type="internal"}')).toBe(0);
    expect(values.get('servicedeck_service_enabled{service="digest",type="internal"}')).toBe(0);
    expect(values.get('servicedeck_service_enabled{service="database",type="internal"}')).toBe(1);
    expect(
      values.get('servicedeck_service_status{service="reminders",type="internal",status="inactive"}'),
    ).toBe(1);
  });

  it('GIVEN a manager whose change feed runs WHEN a service is disabled, enabled again and reconfigured THEN the toggle and settings counters count each change', async () => {
    const manager = await startSyncedManager();
    const metrics = startMetrics(manager);
    const read = async (series: string) => samples(await metrics.render()).get(series);

    await manager.disableService('database', { ...admin, cascade: true });
    await expect
      .poll(() => read('servicedeck_toggles_total{service="database",action="disable"}'), { timeout: 5_000 })
      .toBe(1);
    await manager.enableService('database', admin);
    await expect
      .poll(() => read('servicedeck_toggles_total{service="database",action="enable"}'), { timeout: 5_000 })
      .toBe(1);
    await manager.updateConfig('github', { org: 'acme' }, admin);
    await manager.updateConfig('github', { retries: 5 }, admin);
    await expect
      .poll(() => read('servicedeck_config_changes_total{service="github"}'), { timeout: 5_000 })
      .toBe(2);

    const values = samples(await metrics.render());
    expect(values.get('servicedeck_toggles_total{service="database",action="disable"}')).toBe(1);
    // A cascade counts once, for the service it was asked for.
    expect([...values.keys()].filter((k) => k.startsWith('servicedeck_toggles_total'))).toHaveLength(2);
    expect([...values.keys()].filter((k) => k.startsWith('servicedeck_config_changes_total'))).toHaveLength(
      1,
    );
  });

  it("GIVEN reload audit entries THEN this process's own reloads are counted by result, and every other entry is ignored", async () => {
    const { manager } = await startDeck('sqlite');
    const metrics = startMetrics(manager);
    const entry = (extra: Partial<AuditEntry>): AuditEntry => ({
      id: 1,
      actor: 'alice',
      adapter: 'web',
      origin: null,
      action: 'reload',
      serviceId: 'echo',
      result: 'ok',
      details: {},
      instanceId: manager.instanceId,
      at: new Date(),
      ...extra,
    });
    metrics.observeAudit(entry({}));
    metrics.observeAudit(entry({ adapter: 'sync', actor: 'servicedeck' }));
    metrics.observeAudit(entry({ result: 'failed' }));
    metrics.observeAudit(entry({ result: 'denied' }));
    metrics.observeAudit(entry({ instanceId: 'another-host:1:abcd' }));
    metrics.observeAudit(entry({ action: 'disable' }));
    metrics.observeAudit(entry({ serviceId: null }));
    const values = samples(await metrics.render());
    expect([...values].filter(([key]) => key.startsWith('servicedeck_reloads_total'))).toEqual([
      ['servicedeck_reloads_total{service="echo",result="ok"}', 2],
      ['servicedeck_reloads_total{service="echo",result="failed"}', 1],
    ]);
    metrics.stop();
    metrics.observeAudit(entry({}));
    expect(samples(await metrics.render()).get('servicedeck_reloads_total{service="echo",result="ok"}')).toBe(
      2,
    );
  });

  it('GIVEN label values with backslashes, double quotes and line feeds THEN they are escaped as the text format requires', () => {
    expect(escapeLabelValue('plain-id')).toBe('plain-id');
    expect(escapeLabelValue('a\\b')).toBe('a\\\\b');
    expect(escapeLabelValue('say "hi"')).toBe('say \\"hi\\"');
    expect(escapeLabelValue('two\nlines')).toBe('two\\nlines');
    expect(escapeLabelValue('\\"\n')).toBe('\\\\\\"\\n');
  });

  it('GIVEN bucket bounds that are not finite numbers, or none THEN the constructor refuses them', async () => {
    const { manager } = await startDeck('sqlite');
    expect(() => new Metrics(manager, { latencyBuckets: [0.1, Number.NaN] })).toThrow(RangeError);
    expect(() => new Metrics(manager, { latencyBuckets: [Number.POSITIVE_INFINITY] })).toThrow(RangeError);
    expect(() => new Metrics(manager, { latencyBuckets: [] })).toThrow(RangeError);
  });

  it('GIVEN metrics started for a while THEN the event loop delay summary has quantiles in seconds, a sum and a count', async () => {
    const { manager } = await startDeck('sqlite');
    const metrics = startMetrics(manager);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const values = samples(await metrics.render());
    const count = values.get('servicedeck_event_loop_delay_seconds_count') ?? 0;
    expect(count).toBeGreaterThan(0);
    for (const q of ['0.5', '0.9', '0.99']) {
      const value = values.get(`servicedeck_event_loop_delay_seconds{quantile="${q}"}`) as number;
      // Sampled every 10 ms: a delay is at least that, and far below a second here.
      expect(value).toBeGreaterThan(0.005);
      expect(value).toBeLessThan(1);
    }
    expect(values.get('servicedeck_event_loop_delay_seconds_sum')).toBeGreaterThan(0);
  });

  it('GIVEN metrics stopped THEN no listener is left on the manager and later checks are not counted', async () => {
    const { manager } = await startDeck('sqlite');
    const before = {
      check: manager.events.listenerCount('check'),
      change: manager.events.listenerCount('change'),
    };
    const metrics = new Metrics(manager);
    metrics.start();
    metrics.start();
    expect(manager.events.listenerCount('check')).toBe(before.check + 1);
    await manager.checkHealth('database', { fresh: true });
    metrics.stop();
    metrics.stop();
    expect(manager.events.listenerCount('check')).toBe(0);
    expect(manager.events.listenerCount('change')).toBe(before.change);

    await manager.checkHealth('database', { fresh: true });
    const values = samples(await metrics.render());
    expect(values.get('servicedeck_health_checks_total{service="database",outcome="active"}')).toBe(1);
    const count = values.get('servicedeck_event_loop_delay_seconds_count');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(samples(await metrics.render()).get('servicedeck_event_loop_delay_seconds_count')).toBe(count);
  });

  describe('checked by promtool', () => {
    it.skipIf(!hasPromtool && !inCi)(
      'GIVEN checks, failures, toggles and settings changes THEN promtool check metrics finds nothing to say',
      async () => {
        const manager = await startSyncedManager();
        const metrics = startMetrics(manager);
        expect(promtoolCheck(await metrics.render())).toEqual({ output: '', status: 0 });

        const records: HealthCheckRecord[] = [];
        manager.events.on('check', (record) => records.push(record));
        await manager.checkAllHealth({ fresh: true });
        await manager.disableService('reminders', { ...admin, cascade: true });
        await manager.updateConfig('github', { org: 'acme' }, admin);
        await expect
          .poll(
            async () =>
              samples(await metrics.render()).get('servicedeck_config_changes_total{service="github"}'),
            {
              timeout: 5_000,
            },
          )
          .toBe(1);
        expect(records.length).toBeGreaterThan(0);

        const text = await metrics.render();
        expect(text).toContain('servicedeck_toggles_total{service="reminders",action="disable"} 1');
        expect(text).toContain(
          'servicedeck_health_check_duration_seconds_bucket{service="database",le="+Inf"}',
        );
        expect(promtoolCheck(text)).toEqual({ output: '', status: 0 });
      },
    );

    it.skipIf(!hasPromtool && !inCi)(
      'GIVEN 1,000 services, some failing THEN every series is there and promtool accepts the text',
      async () => {
        const { manager } = await startDeck('sqlite', manyServices(1_000));
        const metrics = startMetrics(manager);
        await manager.checkAllHealth({ fresh: true });

        const text = await metrics.render();
        // 1,000 services × (1 enabled + 4 status + 14 histogram + ~1 outcome) series.
        expect(samples(text).size).toBeGreaterThan(20_000);
        expect(text).toContain(
          'servicedeck_service_status{service="svc-007",type="internal",status="error"} 1',
        );
        expect(promtoolCheck(text)).toEqual({ output: '', status: 0 });
      },
    );
  });
});
