/**
 * The results of `servicedeck health`: the rows (also its `--json` output), the table and the summary.
 */
import type { HealthCheckRecord, JsonValue, ServiceStatus, ServiceSummary } from '@servicedeck/core';
import { formatLatency } from './format.js';
import { formatStatus, type Styler } from './style.js';
import { renderTable } from './table.js';

/**
 * One service's result, as `servicedeck health --json` prints it (an array of these, by id). Every key is
 * always present.
 */
export interface HealthRow {
  /** The service's id. */
  readonly serviceId: string;
  /** What this check observed (before thresholds); for a service not checked, its status and why. */
  readonly status: ServiceStatus;
  /** False when the service is not running (disabled, not configured, waiting…), so no check ran. */
  readonly checked: boolean;
  /** Milliseconds the check took; null when not checked. */
  readonly latencyMs: number | null;
  /** What the check said, or why the service was not checked. */
  readonly message: string | null;
  /** The dependency in `error` that explains a failure, following the chain to the deepest one. */
  readonly cause: string | null;
  /** When the check finished (ISO 8601); null when not checked. */
  readonly checkedAt: string | null;
  /** Extra facts the check reported; null when none. */
  readonly details: Readonly<Record<string, JsonValue>> | null;
}

/**
 * The rows for `records`, by id. A failing result whose cause core did not name (its dependencies had not
 * crossed their thresholds: in a one-off run nothing has) gets the dependency whose own check, in this
 * same run, found it in `error` — followed down to the deepest one.
 */
export function healthRows(
  records: readonly HealthCheckRecord[],
  services: readonly Pick<ServiceSummary, 'id' | 'dependencies'>[],
): HealthRow[] {
  const byId = new Map(records.map((record) => [record.serviceId, record]));
  const dependencies = new Map(services.map((s) => [s.id, s.dependencies]));
  const failingDependency = (id: string): string | null => {
    let cause: string | null = null;
    const seen = new Set([id]);
    let frontier = dependencies.get(id) ?? [];
    for (;;) {
      const failing = frontier.find((dep) => !seen.has(dep) && byId.get(dep)?.status === 'error');
      if (failing === undefined) return cause;
      cause = failing;
      seen.add(failing);
      frontier = dependencies.get(failing) ?? [];
    }
  };
  return [...records]
    .sort((a, b) => (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0))
    .map((record) => {
      const checked = record.latencyMs !== null;
      const failed = checked && (record.status === 'error' || record.status === 'unknown');
      return {
        serviceId: record.serviceId,
        status: record.status,
        checked,
        latencyMs: record.latencyMs,
        message: record.message,
        cause: record.cause ?? (failed ? failingDependency(record.serviceId) : null),
        checkedAt: checked ? record.checkedAt.toISOString() : null,
        details: record.details ?? null,
      };
    });
}

/** The table: ID, STATUS, LATENCY, CAUSE, MESSAGE. */
export function renderHealthTable(rows: readonly HealthRow[], style: Styler): string {
  return renderTable(
    ['ID', 'STATUS', 'LATENCY', 'CAUSE', 'MESSAGE'],
    rows.map((row) => [
      row.serviceId,
      formatStatus(row.status, style),
      formatLatency(row.latencyMs),
      row.cause ?? '',
      row.message ?? '',
    ]),
    (head) => style('bold', head),
  );
}

/** One line under the table: `4 services: 2 active, 1 inactive, 1 error.` */
export function healthSummary(rows: readonly HealthRow[]): string {
  const counts = new Map<ServiceStatus, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const order: ServiceStatus[] = ['active', 'inactive', 'unknown', 'error'];
  const parts = order
    .filter((status) => counts.has(status))
    .map((status) => `${counts.get(status)} ${status}`);
  return `${rows.length} service${rows.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}
