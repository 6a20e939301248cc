/**
 * The catalog as a table: one row per service with its status, type, version, enabled state and reason;
 * on a live display also the latency of its last check and how long ago that was.
 */
import type { HealthCheckRecord, ServiceSummary } from '@servicedeck/core';
import { formatAge, formatLatency } from './format.js';
import { formatStatus, type Styler } from './style.js';
import { renderTable } from './table.js';

/** What a live display knows of checks, for the LATENCY and LAST CHECK columns. */
export interface CatalogHealth {
  /** The latest check result of each service seen by this process, by id. */
  readonly checks: ReadonlyMap<string, HealthCheckRecord>;
  /** The time ages are measured from. */
  readonly now: Date;
}

/** What `renderCatalog` prints when there are no services. */
export const NO_SERVICES =
  'No services found. Install a plugin package or configure service globs (see docs/plugin-authors.md).';

/**
 * Renders services as the catalog table `servicedeck up` prints. With `health`, LATENCY and LAST CHECK
 * columns follow STATUS, filled where a check result is known (`-` elsewhere).
 */
export function renderCatalog(
  services: readonly ServiceSummary[],
  style: Styler,
  health?: CatalogHealth,
): string {
  if (services.length === 0) return NO_SERVICES;
  const rows = services.map((s) => [
    s.id,
    s.name,
    s.type,
    s.version ?? '-',
    s.missing ? style('gray', 'missing') : s.enabled ? 'yes' : style('gray', 'no'),
    formatStatus(s.status, style),
    ...(health
      ? [
          formatLatency(health.checks.get(s.id)?.latencyMs),
          s.lastHealthCheck ? formatAge(s.lastHealthCheck, health.now) : '-',
        ]
      : []),
    s.statusMessage ?? '',
  ]);
  const headers = [
    'ID',
    'NAME',
    'TYPE',
    'VERSION',
    'ENABLED',
    'STATUS',
    ...(health ? ['LATENCY', 'LAST CHECK'] : []),
    'DETAIL',
  ];
  return renderTable(headers, rows, (head) => style('bold', head));
}
