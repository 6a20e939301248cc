/**
 * What `servicedeck up` shows while it runs, as pure functions: the frame (catalog, skipped services and
 * the running line), the escape sequences that redraw it in place on a terminal, and the plain line
 * printed for each status change when standard output is not a terminal.
 */
import type { DiscoveryProblem, HealthCheckRecord, ServiceSummary, StatusChange } from '@servicedeck/core';
import { type CatalogHealth, renderCatalog } from './catalog.js';
import { formatLatency } from './format.js';
import type { Styler } from './style.js';
import { visibleWidth } from './table.js';

const CSI = '\u001b[';

/** What the frame of `up` shows. */
export interface UpFrame {
  readonly services: readonly ServiceSummary[];
  readonly problems: readonly DiscoveryProblem[];
  readonly style: Styler;
  /** Checks seen so far; given on a live display (adds LATENCY and LAST CHECK). */
  readonly health?: CatalogHealth;
}

/** The lines of the frame: the catalog, what was skipped, and the running line. */
export function renderUpFrame({ services, problems, style, health }: UpFrame): string[] {
  const lines = renderCatalog(services, style, health).split('\n');
  if (problems.length > 0) {
    lines.push('', style('yellow', `Skipped (${problems.length}):`));
    for (const problem of problems)
      lines.push(`  ${style('yellow', '!')} ${problem.error.code}: ${problem.error.message}`);
  }
  const running = services.filter((s) => s.running).length;
  lines.push(
    '',
    `servicedeck is running: ${services.length} service${services.length === 1 ? '' : 's'}, ${running} started. Press Ctrl-C to stop.`,
  );
  return lines;
}

/**
 * The terminal rows `lines` take on a terminal `columns` wide (a line wider than the terminal wraps onto
 * several rows); with no width known, one row a line.
 */
export function frameRows(lines: readonly string[], columns?: number): number {
  if (!columns || columns <= 0) return lines.length;
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(visibleWidth(line) / columns)), 0);
}

/**
 * The frame cut to fit a terminal `maxRows` high, so the cursor can always get back to its first row:
 * the first lines that fit, a line saying how many were left out, and the last line (the running line).
 */
export function fitFrame(lines: readonly string[], maxRows: number | undefined, columns?: number): string[] {
  if (!maxRows || maxRows <= 0 || frameRows(lines, columns) <= maxRows) return [...lines];
  const last = lines.at(-1) ?? '';
  const budget = maxRows - 1 - frameRows([last], columns);
  const kept: string[] = [];
  let used = 0;
  for (const line of lines.slice(0, -1)) {
    const rows = frameRows([line], columns);
    if (used + rows > budget) break;
    kept.push(line);
    used += rows;
  }
  const omitted = lines.length - 1 - kept.length;
  return [
    ...kept,
    `… ${omitted} more line${omitted === 1 ? '' : 's'}: enlarge the terminal to see them`,
    last,
  ];
}

/** Moves the cursor up to the first row of a frame of `rows` rows just above it. */
function cursorUp(rows: number): string {
  return rows > 0 ? `\r${CSI}${rows}A` : '';
}

/**
 * The output that replaces the frame of `previousRows` rows just above the cursor with `lines`: cursor up
 * to its first row, then each line cleared and written, then whatever is left of a taller previous frame
 * cleared. The cursor ends at the start of the row below the new frame.
 */
export function redrawFrame(previousRows: number, lines: readonly string[]): string {
  return `${cursorUp(previousRows)}${lines.map((line) => `${CSI}2K${line}\n`).join('')}${CSI}J`;
}

/** The output that erases the frame of `rows` rows just above the cursor (before a log line, say). */
export function eraseFrame(rows: number): string {
  return rows > 0 ? `${cursorUp(rows)}${CSI}J` : '';
}

/**
 * One plain line for a status change: `2026-11-23T21:30:00.000Z http: unknown → active (200 OK in 3 ms)`,
 * with ` cause: redis` when a failing dependency explains it. `check` is the result that caused the
 * change, for its latency (ignored when it is another check).
 */
export function formatStatusChange(change: StatusChange, check?: HealthCheckRecord): string {
  const latency =
    check &&
    check.serviceId === change.service &&
    check.checkedAt.getTime() === change.at.getTime() &&
    check.latencyMs !== null
      ? `in ${formatLatency(check.latencyMs)}`
      : undefined;
  const why = [change.message ?? undefined, latency].filter((part) => part !== undefined && part !== '');
  return `${change.at.toISOString()} ${change.service}: ${change.from} → ${change.to}${why.length > 0 ? ` (${why.join(' ')})` : ''}${change.cause ? ` cause: ${change.cause}` : ''}`;
}
