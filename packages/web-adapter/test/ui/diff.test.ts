import { describe, expect, it } from 'vitest';
import { diffRows, diffSummary, diffValues, versionDiff } from '../../ui/src/diff.js';
import type { ConfigVersion } from '../../ui/src/types.js';

const version = (
  n: number,
  values: ConfigVersion['values'],
  changes: ConfigVersion['changes'] = [],
): ConfigVersion => ({
  version: n,
  actor: 'owner',
  adapter: 'web',
  createdAt: '2026-01-01T00:00:00.000Z',
  values,
  changes,
});

describe('config diffs', () => {
  it('GIVEN a change list THEN rows are added, removed or changed, changed first', () => {
    expect(
      diffRows([
        { key: 'b', to: 1 },
        { key: 'a', from: 'x' },
        { key: 'c', from: 1, to: 2 },
      ]),
    ).toEqual([
      { key: 'c', kind: 'changed', from: '1', to: '2' },
      { key: 'b', kind: 'added', from: '', to: '1' },
      { key: 'a', kind: 'removed', from: '"x"', to: '' },
    ]);
  });

  it('GIVEN two sets of values THEN their difference ignores key order inside objects', () => {
    expect(
      diffValues({ a: 1, b: { x: 1, y: 2 }, gone: true }, { a: 2, b: { y: 2, x: 1 }, new: null }),
    ).toEqual([
      { key: 'a', from: 1, to: 2 },
      { key: 'gone', from: true },
      { key: 'new', to: null },
    ]);
  });

  it('GIVEN a version without a change list THEN its diff is computed from the version before it', () => {
    const versions = [version(3, { a: 2 }), version(2, { a: 1 }, [{ key: 'a', to: 1 }])];
    expect(versionDiff(versions, 0)).toEqual([{ key: 'a', kind: 'changed', from: '1', to: '2' }]);
    expect(versionDiff(versions, 1)).toEqual([{ key: 'a', kind: 'added', from: '', to: '1' }]);
    expect(versionDiff(versions, 5)).toEqual([]);
  });

  it('GIVEN rows THEN the summary counts each kind', () => {
    expect(
      diffSummary(
        diffRows([
          { key: 'a', to: 1 },
          { key: 'b', to: 2 },
          { key: 'c', from: 1, to: 3 },
        ]),
      ),
    ).toBe('1 changed, 2 added');
    expect(diffSummary([])).toBe('no changes');
  });

  it('GIVEN a long value THEN it is shortened with an ellipsis', () => {
    const [row] = diffRows([{ key: 'big', to: 'x'.repeat(500) }]);
    expect(row?.to.length).toBeLessThanOrEqual(120);
    expect(row?.to.endsWith('…')).toBe(true);
  });
});
