/**
 * `servicedeck list` and `servicedeck status <id>`: the rows (also their `--json` output) and how they are
 * printed.
 *
 * A one-shot command runs its own manager, whose services have just started and were never checked in
 * this process. So the status of a service that runs is what its last recorded health check found —
 * normally the running bot's, on its schedule — and a service that does not run shows why (disabled, not
 * configured, waiting for a dependency, failed to start), as decided here from the same database.
 */
import type {
  CatalogEntry,
  HealthCheckRecord,
  RegistryProcesses,
  ServiceStatus,
  ServiceSummary,
  ServiceType,
  Uptime,
} from '@servicedeck/core';
import { NOT_RUN_YET } from '@servicedeck/core/catalog';
import { formatAge, formatLatency, formatTime } from './format.js';
import { formatStatus, type Styler } from './style.js';
import { renderTable } from './table.js';

/** One service, as `servicedeck list --json` prints it (an array of these, by id). Every key is present. */
export interface ServiceRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: ServiceType;
  readonly version: string | null;
  readonly tags: readonly string[];
  /** Ids of the services it needs running first. */
  readonly dependencies: readonly string[];
  /** Desired state, shared by every process. */
  readonly enabled: boolean;
  /** In the catalog but not found by discovery this time. */
  readonly missing: boolean;
  /** What its last health check found if it runs; otherwise why it does not (`inactive`, `error`). */
  readonly status: ServiceStatus;
  /** The check's message, or why it does not run. */
  readonly message: string | null;
  /** When it was last checked, by any process (ISO 8601, UTC); null when never. */
  readonly lastCheckAt: string | null;
}

/** One recorded health check, as `servicedeck status --json` prints it. */
export interface CheckRow {
  readonly status: ServiceStatus;
  /** Milliseconds the check took. */
  readonly latencyMs: number | null;
  readonly message: string | null;
  /** The dependency in `error` behind a failure. */
  readonly cause: string | null;
  /** ISO 8601, UTC. */
  readonly checkedAt: string;
  /** The process that ran it (see the instances of the bot). */
  readonly instanceId: string;
}

/** One service in detail, as `servicedeck status <id> --json` prints it. Every key is present. */
export interface ServiceDetail extends ServiceRow {
  /** Ids of the services that depend on it directly. */
  readonly dependents: readonly string[];
  /** Where it was discovered (file and package, `registerService()`, built in); null when missing. */
  readonly source: string | null;
  /** Its last recorded check, or null. */
  readonly lastCheck: CheckRow | null;
  /** The share of its checks over the last 24 hours that found it `active` (ratio null without checks). */
  readonly uptime: {
    readonly windowHours: number;
    readonly checks: number;
    readonly active: number;
    readonly ratio: number | null;
  };
  /** Its most recent checks, newest first. */
  readonly checks: readonly CheckRow[];
}

/** A recorded check as a {@link CheckRow}. */
export function checkRow(record: HealthCheckRecord): CheckRow {
  return {
    status: record.status,
    latencyMs: record.latencyMs,
    message: record.message,
    cause: record.cause,
    checkedAt: record.checkedAt.toISOString(),
    instanceId: record.instanceId,
  };
}

/**
 * A service's row from the catalog: the status, message and last check that the processes running it
 * recorded.
 */
export function catalogRow(entry: CatalogEntry): ServiceRow {
  return {
    id: entry.id,
    name: entry.name,
    description: entry.description,
    type: entry.type,
    version: entry.version,
    tags: [...entry.tags],
    dependencies: [...entry.dependencies],
    enabled: entry.enabled,
    missing: entry.missing,
    status: entry.status,
    message: entry.statusMessage ?? (entry.status === 'unknown' ? NOT_RUN_YET : null),
    lastCheckAt: entry.lastHealthCheck ? entry.lastHealthCheck.toISOString() : null,
  };
}

/**
 * A service's row: a service that runs takes the status and message of `last`, its last recorded check
 * (`unknown`, "not checked yet" without one); one that does not keeps its status and reason.
 */
export function serviceRow(summary: ServiceSummary, last: HealthCheckRecord | undefined): ServiceRow {
  const observed = summary.running
    ? last
      ? { status: last.status, message: last.message }
      : { status: 'unknown' as ServiceStatus, message: 'not checked yet' }
    : { status: summary.status, message: summary.statusMessage };
  const lastCheckAt = last?.checkedAt ?? summary.lastHealthCheck;
  return {
    id: summary.id,
    name: summary.name,
    description: summary.description,
    type: summary.type,
    version: summary.version,
    tags: [...summary.tags],
    dependencies: [...summary.dependencies],
    enabled: summary.enabled,
    missing: summary.missing,
    status: observed.status,
    message: observed.message,
    lastCheckAt: lastCheckAt ? lastCheckAt.toISOString() : null,
  };
}

function enabledCell(row: Pick<ServiceRow, 'enabled' | 'missing'>, style: Styler): string {
  return row.missing ? style('gray', 'missing') : row.enabled ? 'yes' : style('gray', 'no');
}

function ageCell(at: string | null, now: Date): string {
  return at ? formatAge(new Date(at), now) : '-';
}

/** The table of `list`: ID, NAME, TYPE, VERSION, ENABLED, STATUS, LAST CHECK, DETAIL. */
export function renderServiceList(rows: readonly ServiceRow[], style: Styler, now: Date): string {
  return renderTable(
    ['ID', 'NAME', 'TYPE', 'VERSION', 'ENABLED', 'STATUS', 'LAST CHECK', 'DETAIL'],
    rows.map((row) => [
      row.id,
      row.name,
      row.type,
      row.version ?? '-',
      enabledCell(row, style),
      formatStatus(row.status, style),
      ageCell(row.lastCheckAt, now),
      row.message ?? '',
    ]),
    (head) => style('bold', head),
  );
}

/** `3 services: 2 enabled, 1 disabled.` */
export function listSummary(rows: readonly ServiceRow[]): string {
  const enabled = rows.filter((row) => row.enabled && !row.missing).length;
  const missing = rows.filter((row) => row.missing).length;
  const disabled = rows.length - enabled - missing;
  const parts = [
    `${enabled} enabled`,
    `${disabled} disabled`,
    ...(missing > 0 ? [`${missing} missing`] : []),
  ];
  return `${rows.length} service${rows.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}

/** Who recorded a service's status, for `status`: `2 running servicedeck processes`… */
function recordedBy(processes: RegistryProcesses, now: Date): string {
  if (processes.running > 0) {
    return `${processes.running} running servicedeck process${processes.running === 1 ? '' : 'es'}`;
  }
  if (processes.lastSeenAt === null) return 'no servicedeck process has run services on this database yet';
  return `no running process; the last one was heard from ${formatAge(processes.lastSeenAt, now)}`;
}

/**
 * Who recorded the statuses: the running processes, or — when none runs — that they are as the last one
 * left them.
 */
export function processesNote(processes: RegistryProcesses, now: Date): string {
  if (processes.running > 0) {
    return `Statuses as recorded by ${processes.running} running servicedeck process${processes.running === 1 ? '' : 'es'}.`;
  }
  if (processes.lastSeenAt === null) {
    return 'No servicedeck process has run services on this database yet: start the bot or servicedeck up.';
  }
  return `No servicedeck process is running (the last one was heard from ${formatAge(processes.lastSeenAt, now)}): statuses are as it left them.`;
}

/** The uptime of a service in its JSON form. */
export function uptimeRow(uptime: Uptime, windowHours = 24): ServiceDetail['uptime'] {
  return { windowHours, checks: uptime.checks, active: uptime.active, ratio: uptime.ratio };
}

function formatUptime(uptime: ServiceDetail['uptime']): string {
  if (uptime.ratio === null) return `no checks in the last ${uptime.windowHours} h`;
  const percent = (uptime.ratio * 100).toFixed(uptime.ratio === 1 ? 0 : 1);
  return `${percent}% (${uptime.active} of ${uptime.checks} check${uptime.checks === 1 ? '' : 's'} active)`;
}

/** What states a related service is in, for the lists of dependencies and dependents. */
export type RelatedState = ReadonlyMap<string, Pick<ServiceRow, 'enabled' | 'missing'>>;

function relatedList(ids: readonly string[], related: RelatedState): string {
  if (ids.length === 0) return '-';
  return ids
    .map((id) => {
      const other = related.get(id);
      const note = !other || other.missing ? ' (missing)' : other.enabled ? '' : ' (disabled)';
      return `${id}${note}`;
    })
    .join(', ');
}

/** The detail of `status <id>`: its facts, then its recent checks as a table. */
export function renderServiceDetail(
  detail: ServiceDetail,
  related: RelatedState,
  style: Styler,
  now: Date,
  processes?: RegistryProcesses,
): string {
  const last = detail.lastCheck;
  const lastLine = last
    ? `${formatAge(new Date(last.checkedAt), now)}: ${formatStatus(last.status, style)} in ${formatLatency(last.latencyMs)}${last.message ? ` — ${last.message}` : ''}${last.cause ? ` (cause: ${last.cause})` : ''}`
    : 'never';
  const facts: [string, string][] = [
    ['Type', detail.type],
    ['Version', detail.version ?? '-'],
    ['Enabled', enabledCell(detail, style)],
    ['Status', `${formatStatus(detail.status, style)}${detail.message ? ` — ${detail.message}` : ''}`],
    ...(processes ? ([['Recorded by', recordedBy(processes, now)]] as [string, string][]) : []),
    ['Depends on', relatedList(detail.dependencies, related)],
    ['Dependents', relatedList(detail.dependents, related)],
    ['Tags', detail.tags.length > 0 ? detail.tags.join(', ') : '-'],
    ['Source', detail.source ?? '-'],
    ['Last check', lastLine],
    [`Uptime (${detail.uptime.windowHours} h)`, formatUptime(detail.uptime)],
  ];
  const width = Math.max(...facts.map(([label]) => label.length));
  const lines = [
    style('bold', `${detail.id} — ${detail.name}`),
    ...(detail.description ? [detail.description] : []),
    '',
    ...facts.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ];
  if (detail.checks.length > 0) {
    lines.push(
      '',
      `Recent checks (${detail.checks.length}, newest first):`,
      renderTable(
        ['WHEN', 'STATUS', 'LATENCY', 'CAUSE', 'MESSAGE'],
        detail.checks.map((check) => [
          formatTime(new Date(check.checkedAt)),
          formatStatus(check.status, style),
          formatLatency(check.latencyMs),
          check.cause ?? '',
          check.message ?? '',
        ]),
        (head) => style('bold', head),
      ),
    );
  }
  return lines.join('\n');
}
