/**
 * Durations as people read them: check latencies (`3 ms`, `1.2 s`) and how long ago something happened
 * (`3s ago`).
 */

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
