/**
 * The bot process itself as an internal service: event-loop delay (perf_hooks), memory and uptime, with
 * limits past which it reports `error`.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { BaseService } from './base-service.js';
import { Service } from './metadata.js';
import type { HealthCheckResult } from './types.js';

/** The process service's id. */
export const PROCESS_SERVICE_ID = 'process';

/** Configuration of the process service. */
export interface ProcessHealthConfig {
  /** Event-loop delay (99th percentile since the last check) above which the process is unhealthy. */
  maxEventLoopDelayMs: number;
  /** Share of the V8 heap limit in use above which the process is unhealthy (0–1). */
  maxHeapUsedRatio: number;
  [key: string]: number;
}

const MB = 1024 * 1024;

function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Reports the health of the process servicedeck runs in. Registered by the manager unless disabled. */
@Service({
  id: PROCESS_SERVICE_ID,
  name: 'Bot process',
  description: 'The process servicedeck runs in: event-loop delay, memory and uptime.',
  type: 'internal',
  tags: ['servicedeck', 'process'],
  healthCheck: { intervalMs: 15_000, timeoutMs: 1_000 },
  configSchema: {
    type: 'object',
    properties: {
      maxEventLoopDelayMs: { type: 'number', exclusiveMinimum: 0, default: 500 },
      maxHeapUsedRatio: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.9 },
    },
    additionalProperties: false,
  },
})
export class ProcessHealthService extends BaseService<ProcessHealthConfig> {
  private histogram: IntervalHistogram | undefined;

  /** Starts sampling event-loop delay. */
  public override enable(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
  }

  /** Stops sampling. */
  public override disable(): void {
    this.histogram?.disable();
    this.histogram = undefined;
  }

  /** Event-loop delay since the last check, heap in use against its limit, resident memory, uptime. */
  public healthCheck(): HealthCheckResult {
    const histogram = this.histogram;
    if (!histogram) return { status: 'inactive', message: 'disabled' };
    const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    const max = histogram.count > 0 ? histogram.max / 1e6 : 0;
    histogram.reset();
    const memory = process.memoryUsage();
    const heapLimit = getHeapStatistics().heap_size_limit;
    const heapRatio = memory.heapUsed / heapLimit;
    const uptime = process.uptime();
    const details = {
      eventLoopDelayP99Ms: Math.round(p99 * 10) / 10,
      eventLoopDelayMaxMs: Math.round(max * 10) / 10,
      heapUsedMb: Math.round(memory.heapUsed / MB),
      heapLimitMb: Math.round(heapLimit / MB),
      rssMb: Math.round(memory.rss / MB),
      uptimeSeconds: Math.round(uptime),
    };
    const summary = `event loop p99 ${details.eventLoopDelayP99Ms} ms, heap ${details.heapUsedMb}/${details.heapLimitMb} MB, rss ${details.rssMb} MB, up ${formatDuration(uptime)}`;
    const problems: string[] = [];
    const { maxEventLoopDelayMs = 500, maxHeapUsedRatio = 0.9 } = this.config;
    if (p99 > maxEventLoopDelayMs)
      problems.push(`event loop delayed ${details.eventLoopDelayP99Ms} ms (limit ${maxEventLoopDelayMs})`);
    if (heapRatio > maxHeapUsedRatio) {
      problems.push(
        `heap ${Math.round(heapRatio * 100)}% of its limit (limit ${Math.round(maxHeapUsedRatio * 100)}%)`,
      );
    }
    if (problems.length > 0)
      return { status: 'error', message: `${problems.join('; ')}: ${summary}`, details };
    return { status: 'active', message: summary, details };
  }
}
