/** What changed between configuration versions, as rows to render. No DOM. */
import { formatValue } from './format.js';
import { sameJson } from './schema-form.js';
import type { ConfigChange, ConfigVersion, JsonObject } from './types.js';

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffRow {
  readonly key: string;
  readonly kind: DiffKind;
  /** The old value as text ('' when added). */
  readonly from: string;
  /** The new value as text ('' when removed). */
  readonly to: string;
}

const ORDER: Record<DiffKind, number> = { changed: 0, added: 1, removed: 2 };

/** Rows of a version's change list (`from` absent: added; `to` absent: removed). */
export function diffRows(changes: readonly ConfigChange[]): DiffRow[] {
  return changes
    .map((change): DiffRow => {
      const hasFrom = 'from' in change && change.from !== undefined;
      const hasTo = 'to' in change && change.to !== undefined;
      const kind: DiffKind = hasFrom && hasTo ? 'changed' : hasTo ? 'added' : 'removed';
      return {
        key: change.key,
        kind,
        from: hasFrom ? formatValue(change.from) : '',
        to: hasTo ? formatValue(change.to) : '',
      };
    })
    .sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || a.key.localeCompare(b.key));
}

/** The changes from one set of values to another. */
export function diffValues(before: JsonObject, after: JsonObject): ConfigChange[] {
  const changes: ConfigChange[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const inBefore = key in before;
    const inAfter = key in after;
    if (inBefore && inAfter) {
      if (!sameJson(before[key], after[key])) changes.push({ key, from: before[key], to: after[key] });
    } else if (inAfter) changes.push({ key, to: after[key] });
    else changes.push({ key, from: before[key] });
  }
  return changes;
}

/** A version's diff: its own change list, or computed from the version before it when that is empty. */
export function versionDiff(versions: readonly ConfigVersion[], index: number): DiffRow[] {
  const version = versions[index];
  if (!version) return [];
  if (version.changes.length > 0) return diffRows(version.changes);
  const older = versions[index + 1];
  return diffRows(diffValues(older?.values ?? {}, version.values));
}

/** A one-line summary: "2 changed, 1 added". */
export function diffSummary(rows: readonly DiffRow[]): string {
  if (rows.length === 0) return 'no changes';
  const counts = { changed: 0, added: 0, removed: 0 };
  for (const row of rows) counts[row.kind] += 1;
  return (Object.keys(counts) as DiffKind[])
    .filter((kind) => counts[kind] > 0)
    .map((kind) => `${counts[kind]} ${kind}`)
    .join(', ');
}
