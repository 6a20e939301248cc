/** The health history chart's geometry: one bar per check, oldest left, height by latency. No DOM. */
import { formatDateTime, formatLatency, statusLabel } from './format.js';
import type { HealthRecord, Status } from './types.js';

export interface ChartBar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly status: Status;
  /** For the bar's tooltip and screen readers. */
  readonly label: string;
}

export interface ChartModel {
  readonly bars: ChartBar[];
  /** The latency the top of the plot stands for. */
  readonly maxLatencyMs: number;
  readonly width: number;
  readonly height: number;
  /** A summary for the chart's accessible name. */
  readonly summary: string;
}

/** The smallest 1/2/5 × 10ⁿ at or above `value` (at least 10). */
export function niceCeiling(value: number): number {
  if (!Number.isFinite(value) || value <= 10) return 10;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Bars for `records` (newest first, as the API lists them), at most `slots` of them, in a `width` ×
 * `height` plot. Checks that failed without a latency get a full-height bar so they stand out.
 */
export function healthChart(
  records: readonly HealthRecord[],
  options: { width?: number; height?: number; slots?: number } = {},
): ChartModel {
  const width = options.width ?? 600;
  const height = options.height ?? 120;
  const slots = options.slots ?? 60;
  const shown = records.slice(0, slots).reverse();
  const maxLatencyMs = niceCeiling(Math.max(0, ...shown.map((r) => r.latencyMs ?? 0)));
  const slot = width / slots;
  const gap = Math.min(2, slot * 0.2);
  const offset = (slots - shown.length) * slot;
  const bars = shown.map((record, i): ChartBar => {
    const failed = record.status === 'error' && record.latencyMs === null;
    const h = failed
      ? height
      : Math.max(3, Math.round(((record.latencyMs ?? 0) / maxLatencyMs) * height * 10) / 10);
    const { text } = statusLabel(record.status);
    const reason = record.cause ?? record.message;
    return {
      x: Math.round((offset + i * slot) * 10) / 10,
      y: Math.round((height - h) * 10) / 10,
      width: Math.max(1, Math.round((slot - gap) * 10) / 10),
      height: h,
      status: record.status,
      label: `${formatDateTime(record.checkedAt)}: ${text}, ${formatLatency(record.latencyMs)}${reason ? ` — ${reason}` : ''}`,
    };
  });
  const failures = shown.filter((r) => r.status === 'error').length;
  const summary =
    shown.length === 0
      ? 'No checks yet.'
      : `${shown.length} most recent checks, ${failures} failed; latency up to ${formatLatency(Math.max(...shown.map((r) => r.latencyMs ?? 0)))}.`;
  return { bars, maxLatencyMs, width, height, summary };
}
