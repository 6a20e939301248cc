import { describe, expect, it } from 'vitest';
import { reloadSummary } from '../../ui/src/format.js';
import type { ReloadResult } from '../../ui/src/types.js';

const names: Record<string, string> = { echo: 'Echo', relay: 'Relay', digest: 'Daily digest' };
const nameOf = (id: string): string => names[id] ?? id;

function result(extra: Partial<ReloadResult> = {}): ReloadResult {
  return {
    serviceId: 'echo',
    result: 'ok',
    applied: 'here',
    revision: 12,
    previousVersion: '1.0.0',
    version: '1.1.0',
    stage: null,
    error: null,
    rolledBack: false,
    running: true,
    status: 'active',
    message: null,
    dependents: [],
    durationMs: 42,
    ...extra,
  };
}

describe('what a reload toast says', () => {
  it('GIVEN a reload that went through THEN the versions before and after, and the dependents restarted or notified', () => {
    expect(
      reloadSummary(
        result({
          dependents: [
            { serviceId: 'relay', action: 'restarted', result: 'ok', message: null },
            { serviceId: 'digest', action: 'notified', result: 'ok', message: null },
          ],
        }),
        nameOf,
      ),
    ).toEqual({
      kind: 'success',
      message: 'Reloaded Echo: v1.0.0 → v1.1.0.',
      hint: 'Restarted: Relay · Notified: Daily digest.',
    });
    expect(reloadSummary(result({ version: '1.0.0' }), nameOf)).toEqual({
      kind: 'success',
      message: 'Reloaded Echo (v1.0.0, same version).',
      hint: null,
    });
    expect(reloadSummary(result({ previousVersion: null, running: false }), nameOf).message).toBe(
      'Reloaded Echo: no version → v1.1.0. It does not run now; the new code is used when it starts.',
    );
    expect(reloadSummary(result({ applied: 'recorded', running: false }), nameOf).message).toBe(
      'Reloaded Echo: v1.0.0 → v1.1.0. It was recorded; the processes running it apply it.',
    );
  });

  it('GIVEN a reload that failed THEN an error with the stage, and the reason with what to do', () => {
    const reason =
      'Reload of "echo" failed while loading its code: Unexpected token; the previous version keeps running.';
    expect(
      reloadSummary(
        result({
          result: 'failed',
          revision: null,
          version: '1.0.0',
          stage: 'load',
          error: {
            code: 'SD_ERR_RELOAD_FAILED',
            reason,
            message: `${reason} Fix the error in its code (or its settings) and reload it again.`,
          },
        }),
        nameOf,
      ),
    ).toEqual({
      kind: 'error',
      message: 'Reload of Echo failed (stage: load)',
      hint: `${reason} Fix the error in its code (or its settings) and reload it again.`,
    });
  });
});
