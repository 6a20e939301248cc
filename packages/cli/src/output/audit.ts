/**
 * `servicedeck audit`: the entries (also its `--json` output) and the table. Details arrive from core with
 * secrets already redacted.
 */
import type { AuditEntry, AuditResult, JsonObject, JsonValue } from '@servicedeck/core';
import { formatChange, formatLatency, formatTime, formatValue } from './format.js';
import type { Styler } from './style.js';
import { renderTable } from './table.js';

/** One entry of `servicedeck audit --json` (an array, newest first). Every key is present. */
export interface AuditRow {
  readonly id: number;
  /** ISO 8601, UTC. */
  readonly at: string;
  /** Who: an OS user name (cli), a Discord user id, an API token name… */
  readonly actor: string;
  /** Through what: `cli`, `discord`, `web`, `core`… */
  readonly adapter: string;
  /** Where the actor acted from when the adapter said (a Discord guild as `guild:<id>`), else null. */
  readonly origin: string | null;
  /** `enable`, `disable`, `config.update`, `config.rollback`, `keys.rotate`… */
  readonly action: string;
  /** The service acted on; null for actions on no one service (`keys.rotate`). */
  readonly serviceId: string | null;
  readonly result: AuditResult;
  /** What the action recorded (versions, changes, reason, plan…), secrets redacted. */
  readonly details: JsonObject;
  /** The process that did it. */
  readonly instanceId: string | null;
}

/** An entry as an {@link AuditRow}. */
export function auditRow(entry: AuditEntry): AuditRow {
  return {
    id: entry.id,
    at: entry.at.toISOString(),
    actor: entry.actor,
    adapter: entry.adapter,
    origin: entry.origin,
    action: entry.action,
    serviceId: entry.serviceId,
    result: entry.result,
    details: entry.details,
    instanceId: entry.instanceId,
  };
}

function isChangeList(
  value: JsonValue | undefined,
): value is { key: string; from?: JsonValue; to?: JsonValue }[] {
  return (
    Array.isArray(value) &&
    value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item) && 'key' in item)
  );
}

/**
 * A `reload` entry's own details: the version change, the stage that failed, a rollback, the dependents
 * restarted or notified, the revision and how long it took (the file is left to `--json`).
 */
function describeReload(take: (key: string) => JsonValue | undefined): string[] {
  const parts: string[] = [];
  const previous = take('previousVersion');
  const version = take('version');
  if (previous !== undefined || version !== undefined) {
    parts.push(
      previous === version
        ? `version ${formatValue(version ?? null)}`
        : `${formatValue(previous ?? null)} → ${formatValue(version ?? null)}`,
    );
  }
  const stage = take('stage');
  if (stage !== undefined) parts.push(`failed at ${formatValue(stage)}`);
  if (take('rolledBack') === true) parts.push('previous version started again');
  const dependents = take('dependents');
  if (Array.isArray(dependents) && dependents.length > 0) {
    const each = dependents.map((dependent) => {
      const d = (dependent ?? {}) as { serviceId?: JsonValue; action?: JsonValue; result?: JsonValue };
      return `${formatValue(d.serviceId ?? '?')} ${formatValue(d.action ?? '?')}${d.result === 'failed' ? ' (failed)' : ''}`;
    });
    parts.push(`dependents: ${each.join(', ')}`);
  }
  take('file');
  const applied = take('applied');
  const revision = take('revision');
  // A reload that failed in a control-mode process recorded nothing (its revision is null).
  if (applied === 'recorded' && typeof revision === 'number')
    parts.push('recorded for the running processes to apply');
  if (typeof revision === 'number') parts.push(`revision ${revision}`);
  const durationMs = take('durationMs');
  if (typeof durationMs === 'number') parts.push(`in ${formatLatency(durationMs)}`);
  return parts;
}

/**
 * An entry's details on one line: the changes (`key: from → to`), the versions, the reason, then any
 * other detail as `name=value`.
 */
export function describeDetails(row: Pick<AuditRow, 'action' | 'serviceId' | 'details'>): string {
  const rest: Record<string, JsonValue> = { ...row.details };
  const parts: string[] = [];
  const take = (key: string): JsonValue | undefined => {
    const value = rest[key];
    delete rest[key];
    return value;
  };
  if (row.action === 'reload') parts.push(...describeReload(take));
  const from = take('fromVersion');
  const to = take('toVersion');
  const rolledBackTo = take('rolledBackTo');
  if (from !== undefined || to !== undefined) {
    const back = rolledBackTo === undefined ? '' : ` (the settings of v${formatValue(rolledBackTo)})`;
    parts.push(`v${formatValue(from ?? 0)} → v${formatValue(to ?? '?')}${back}`);
  }
  const rejected = take('rejectedVersion');
  const restored = take('restoredVersion');
  if (rejected !== undefined) {
    parts.push(
      `v${formatValue(rejected)} rejected${restored === undefined ? '' : `, previous settings restored as v${formatValue(restored)}`}`,
    );
  } else if (restored !== undefined) rest.restoredVersion = restored;
  const changes = take('changes');
  if (isChangeList(changes) && changes.length > 0) parts.push(changes.map(formatChange).join('; '));
  else if (changes !== undefined) rest.changes = changes;
  const fromKey = take('fromKey');
  const toKey = take('toKey');
  if (fromKey !== undefined || toKey !== undefined)
    parts.push(`key ${formatValue(fromKey ?? '?')} → ${formatValue(toKey ?? '?')}`);
  const reencrypted = take('reencrypted');
  if (reencrypted !== undefined) parts.push(`${formatValue(reencrypted)} re-encrypted`);
  const plan = take('plan');
  if (plan !== undefined && plan !== row.serviceId) parts.push(`part of ${formatValue(plan)}'s plan`);
  const status = take('status');
  if (status !== undefined) parts.push(`now ${formatValue(status)}`);
  const applied = take('applied');
  if (applied === 'recorded') parts.push('recorded for the running processes to apply');
  else if (applied !== undefined) rest.applied = applied;
  const reason = take('reason');
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}=${formatValue(value)}`);
  if (reason !== undefined) parts.push(`reason: ${formatValue(reason)}`);
  return parts.join(', ');
}

/** The table: WHEN, BY (`actor via adapter`), ACTION, SERVICE, RESULT, DETAILS. */
export function renderAudit(rows: readonly AuditRow[], style: Styler): string {
  return renderTable(
    ['WHEN', 'BY', 'ACTION', 'SERVICE', 'RESULT', 'DETAILS'],
    rows.map((row) => [
      formatTime(new Date(row.at)),
      `${row.actor} via ${row.adapter}`,
      row.action,
      row.serviceId ?? '-',
      row.result === 'ok' ? 'ok' : style('red', row.result),
      describeDetails(row),
    ]),
    (head) => style('bold', head),
  );
}
