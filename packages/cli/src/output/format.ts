/**
 * Durations as people read them: check latencies (`3 ms`, `1.2 s`) and how long ago something happened
 * (`3s ago`); moments, and settings' values on one line.
 */
import type { JsonValue } from '@servicedeck/core';

/** A check's latency: `<1 ms`, `3 ms`, `1.2 s`; `-` when no check ran. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1) return '<1 ms';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(1)} s`;
}

/** How long before `now` the moment `at` was: `just now`, `3s ago`, `5m ago`, `2h ago`, `4d ago`. */
export function formatAge(at: Date, now: Date): string {
  const seconds = Math.floor((now.getTime() - at.getTime()) / 1_000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** A moment in UTC, to the second: `2026-11-23T21:30:00Z`. */
export function formatTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A setting's value on one line: a string as itself, unless it would read as another value (`"5"`,
 * `"true"`, `""`, surrounding spaces, line breaks), then quoted as JSON; anything else as JSON. The same
 * text given back to `config set key=…` gives the same value. Nothing (undefined) is empty.
 */
export function formatValue(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value !== 'string') return JSON.stringify(value);
  if (value === '' || value.trim() !== value || [...value].some((char) => char < ' '))
    return JSON.stringify(value);
  try {
    JSON.parse(value);
    return JSON.stringify(value);
  } catch {
    return value;
  }
}

/** One changed setting: `key: from → to`, `(unset)` for a side where it is not set. */
export function formatChange(change: {
  readonly key: string;
  readonly from?: JsonValue;
  readonly to?: JsonValue;
}): string {
  const side = (value: JsonValue | undefined): string =>
    value === undefined ? '(unset)' : formatValue(value);
  return `${change.key}: ${side(change.from)} → ${side(change.to)}`;
}
