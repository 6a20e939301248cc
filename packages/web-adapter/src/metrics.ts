/**
 * Prometheus metrics: the registry's services (desired state, observed status), their health checks
 * (latency histogram, outcomes), toggles, settings changes and reloads applied in this process, the event loop's
 * delay and the build, written in the Prometheus text exposition format 0.0.4 without a client library.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import {
  type AuditEntry,
  type Change,
  type HealthCheckRecord,
  SERVICE_STATUSES,
  SERVICEDECK_VERSION,
  type ServiceRegistryManager,
} from '@servicedeck/core';

/** The `Content-Type` of {@link Metrics.render}'s output (text exposition format 0.0.4). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Default buckets of the health-check latency histogram, in seconds (those of Prometheus's clients). */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Options of {@link Metrics}. */
export interface MetricsOptions {
  /**
   * Upper bounds of the health-check latency histogram's buckets, in seconds (default
   * {@link DEFAULT_LATENCY_BUCKETS}); sorted and deduplicated, `+Inf` is always added.
   */
  readonly latencyBuckets?: readonly number[];
}

/** The quantiles of the event loop delay summary. */
const EVENT_LOOP_QUANTILES = [0.5, 0.9, 0.99] as const;

/**
 * Escapes a label value for the text exposition format: backslash, double quote and line feed become
 * `\\`, `\"` and `\n`.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\\' ? '\\\\' : char === '"' ? '\\"' : '\\n'));
}

/** Escapes a `# HELP` text: backslash and line feed become `\\` and `\n`. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === '\\' ? '\\\\' : '\\n'));
}

/** Writes a sample value as Prometheus parses it: `+Inf`, `-Inf` and `NaN` for the special values. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** Per-service latency observations: non-cumulative bucket counts (the last one is `+Inf`). */
interface LatencyHistogram {
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** Adds 1 to `map[key][sub]`. */
function increment(map: Map<string, Map<string, number>>, key: string, sub: string): void {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  inner.set(sub, (inner.get(sub) ?? 0) + 1);
}

function normalizeBuckets(buckets: readonly number[]): number[] {
  for (const bound of buckets) {
    if (!Number.isFinite(bound))
      throw new RangeError(`latency bucket bounds must be finite numbers: ${bound}`);
  }
  const sorted = [...new Set(buckets)].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('at least one latency bucket bound is needed');
  return sorted;
}

/**
 * Collects the manager's metrics and writes them in the Prometheus text format. Counters and the latency
 * histogram count what happens while started, in this process; service states are read at each render.
 *
 * `change` events are only emitted by a manager whose change feed runs (`sync` enabled), so the toggle and
 * settings counters stay empty otherwise. They count every change this process applied, made here or by
 * another process; a toggle counts once, for the service it was asked for, even when it cascaded.
 *
 * Reloads are counted from this process's own `reload` audit entries, handed to {@link observeAudit} (the
 * dashboard's live stream reads the audit log and does so): a failed reload records no change, only its
 * audit entry.
 */
export class Metrics {
  private readonly bounds: readonly number[];
  private readonly leLabels: readonly string[];
  private readonly latency = new Map<string, LatencyHistogram>();
  private readonly checks = new Map<string, Map<string, number>>();
  private readonly toggles = new Map<string, Map<string, number>>();
  private readonly configChanges = new Map<string, number>();
  private readonly reloads = new Map<string, Map<string, number>>();
  private readonly serviceLabels = new Map<string, string>();
  private readonly eventLoop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private started = false;

  private readonly onCheck = (record: HealthCheckRecord): void => {
    increment(this.checks, record.serviceId, record.status);
    if (record.latencyMs === null) return;
    const seconds = record.latencyMs / 1000;
    let histogram = this.latency.get(record.serviceId);
    if (!histogram) {
      histogram = { buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.latency.set(record.serviceId, histogram);
    }
    let index = this.bounds.findIndex((bound) => seconds <= bound);
    if (index < 0) index = this.bounds.length;
    histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    histogram.sum += seconds;
    histogram.count += 1;
  };

  private readonly onChange = (change: Change): void => {
    if (change.kind === 'state') {
      increment(this.toggles, change.id, this.manager.isEnabled(change.id) ? 'enable' : 'disable');
    } else if (change.kind === 'config') {
      this.configChanges.set(change.id, (this.configChanges.get(change.id) ?? 0) + 1);
    }
  };

  /**
   * Counts a reload this process applied (asked for here or by another process), by result, from its audit
   * entry; every other entry (another process's, refusals, other actions) is ignored, as is anything
   * observed while stopped.
   */
  public observeAudit(entry: AuditEntry): void {
    if (!this.started || entry.action !== 'reload' || entry.serviceId === null) return;
    if (entry.instanceId !== this.manager.instanceId) return;
    if (entry.result !== 'ok' && entry.result !== 'failed') return;
    increment(this.reloads, entry.serviceId, entry.result);
  }

  /**
   * @param manager - The registry whose services and events are measured.
   * @param options - Histogram buckets.
   * @throws RangeError when a bucket bound is not a finite number, or none is given.
   */
  public constructor(
    private readonly manager: ServiceRegistryManager,
    options: MetricsOptions = {},
  ) {
    this.bounds = normalizeBuckets(options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS);
    this.leLabels = [...this.bounds.map(formatValue), '+Inf'];
  }

  /** Starts counting: listens to the manager's `check` and `change` events and samples the event loop. */
  public start(): void {
    if (this.started) return;
    this.started = true;
    this.manager.events.on('check', this.onCheck);
    this.manager.events.on('change', this.onChange);
    this.eventLoop.enable();
  }

  /** Stops counting: removes the listeners and stops sampling (no timer or handle is left). Values are kept. */
  public stop(): void {
    if (!this.started) return;
    this.started = false;
    this.manager.events.off('check', this.onCheck);
    this.manager.events.off('change', this.onChange);
    this.eventLoop.disable();
  }

  /**
   * The metrics in the text exposition format 0.0.4 (serve it as {@link METRICS_CONTENT_TYPE}).
   *
   * @throws ServiceDeckError when the manager is not running (its services cannot be listed).
   */
  public async render(): Promise<string> {
    const services = await this.manager.listServices();
    const lines: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    };

    family('servicedeck_build_info', 'gauge', 'The servicedeck version this process runs; always 1.');
    lines.push(`servicedeck_build_info{version="${escapeLabelValue(SERVICEDECK_VERSION)}"} 1`);

    family('servicedeck_service_enabled', 'gauge', 'Whether the service is enabled (desired state): 1 or 0.');
    const serviceTypeLabels = services.map(
      (s) => `${this.serviceLabel(s.id)},type="${escapeLabelValue(s.type)}"`,
    );
    services.forEach((s, i) => {
      lines.push(`servicedeck_service_enabled{${serviceTypeLabels[i]}} ${s.enabled ? 1 : 0}`);
    });

    family(
      'servicedeck_service_status',
      'gauge',
      'The status this process observes for the service: 1 for the current status, 0 for the others.',
    );
    services.forEach((s, i) => {
      for (const status of SERVICE_STATUSES) {
        lines.push(
          `servicedeck_service_status{${serviceTypeLabels[i]},status="${status}"} ${s.status === status ? 1 : 0}`,
        );
      }
    });

    family(
      'servicedeck_health_check_duration_seconds',
      'histogram',
      'How long the health checks run in this process took, in seconds.',
    );
    for (const [id, histogram] of this.latency) {
      const label = this.serviceLabel(id);
      let cumulative = 0;
      histogram.buckets.forEach((count, i) => {
        cumulative += count;
        lines.push(
          `servicedeck_health_check_duration_seconds_bucket{${label},le="${this.leLabels[i]}"} ${cumulative}`,
        );
      });
      lines.push(
        `servicedeck_health_check_duration_seconds_sum{${label}} ${formatValue(histogram.sum)}`,
        `servicedeck_health_check_duration_seconds_count{${label}} ${histogram.count}`,
      );
    }

    family(
      'servicedeck_health_checks_total',
      'counter',
      'Health checks run in this process, by what they observed (outcome: active, inactive, error, unknown).',
    );
    for (const [id, outcomes] of this.checks) {
      const label = this.serviceLabel(id);
      for (const [outcome, count] of outcomes) {
        lines.push(
          `servicedeck_health_checks_total{${label},outcome="${escapeLabelValue(outcome)}"} ${count}`,
        );
      }
    }

    family(
      'servicedeck_toggles_total',
      'counter',
      'Services enabled or disabled (action: enable, disable), as applied by this process.',
    );
    for (const [id, actions] of this.toggles) {
      const label = this.serviceLabel(id);
      for (const [action, count] of actions) {
        lines.push(`servicedeck_toggles_total{${label},action="${action}"} ${count}`);
      }
    }

    family(
      'servicedeck_config_changes_total',
      'counter',
      "Changes of a service's settings, as applied by this process.",
    );
    for (const [id, count] of this.configChanges) {
      lines.push(`servicedeck_config_changes_total{${this.serviceLabel(id)}} ${count}`);
    }

    family(
      'servicedeck_reloads_total',
      'counter',
      "Reloads of a service's code applied by this process, by result (ok, failed).",
    );
    for (const [id, results] of this.reloads) {
      const label = this.serviceLabel(id);
      for (const [result, count] of results) {
        lines.push(`servicedeck_reloads_total{${label},result="${result}"} ${count}`);
      }
    }

    this.renderEventLoop(lines, family);
    lines.push('');
    return lines.join('\n');
  }

  private renderEventLoop(lines: string[], family: (name: string, type: string, help: string) => void): void {
    const name = 'servicedeck_event_loop_delay_seconds';
    family(name, 'summary', 'How late the event loop ran timers, in seconds, sampled every 10 ms.');
    const histogram = this.eventLoop;
    const count = histogram.count;
    for (const quantile of EVENT_LOOP_QUANTILES) {
      const value = count === 0 ? Number.NaN : histogram.percentile(quantile * 100) / 1e9;
      lines.push(`${name}{quantile="${quantile}"} ${formatValue(value)}`);
    }
    lines.push(`${name}_sum ${formatValue(count === 0 ? 0 : (histogram.mean * count) / 1e9)}`);
    lines.push(`${name}_count ${count}`);
  }

  /** `service="<id>"`, escaped once per service. */
  private serviceLabel(id: string): string {
    let label = this.serviceLabels.get(id);
    if (label === undefined) {
      label = `service="${escapeLabelValue(id)}"`;
      this.serviceLabels.set(id, label);
    }
    return label;
  }
}
