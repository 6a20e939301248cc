import { describe, expect, it } from 'vitest';
import { describeDetails } from '../../src/output/audit.js';
import { formatChange, formatTime, formatValue } from '../../src/output/format.js';
import { nothingToDo, renderPlan } from '../../src/output/lifecycle.js';

describe('management output', () => {
  it('GIVEN values THEN each reads back as the same value through config set key=…', () => {
    expect(formatValue('https://x')).toBe('https://x');
    expect(formatValue('5')).toBe('"5"');
    expect(formatValue('true')).toBe('"true"');
    expect(formatValue('')).toBe('""');
    expect(formatValue(' padded')).toBe('" padded"');
    expect(formatValue('two\nlines')).toBe('"two\\nlines"');
    expect(formatValue(5)).toBe('5');
    expect(formatValue({ a: [1, 'b'] })).toBe('{"a":[1,"b"]}');
    expect(formatValue(undefined)).toBe('');
    expect(formatValue('••••••')).toBe('••••••');
  });

  it('GIVEN changes THEN they read key: from → to, (unset) where a side is not set', () => {
    expect(formatChange({ key: 'retries', from: 3, to: 5 })).toBe('retries: 3 → 5');
    expect(formatChange({ key: 'channel', to: 'ops' })).toBe('channel: (unset) → ops');
    expect(formatChange({ key: 'channel', from: '7' })).toBe('channel: "7" → (unset)');
  });

  it('GIVEN a moment THEN it is printed in UTC to the second', () => {
    expect(formatTime(new Date('2026-11-23T21:30:00.123Z'))).toBe('2026-11-23T21:30:00Z');
  });

  it('GIVEN audit details THEN they read on one line: versions, changes, keys, plan, status, reason', () => {
    expect(
      describeDetails({
        action: 'config.update',
        serviceId: 'github',
        details: { fromVersion: 1, toVersion: 2, changes: [{ key: 'token', from: '••••••', to: '••••••' }] },
      }),
    ).toBe('v1 → v2, token: •••••• → ••••••');
    expect(
      describeDetails({
        action: 'config.rollback',
        serviceId: 'github',
        details: { fromVersion: 5, toVersion: 6, rolledBackTo: 2 },
      }),
    ).toBe('v5 → v6 (the settings of v2)');
    expect(
      describeDetails({
        action: 'enable',
        serviceId: 'cache',
        details: { plan: 'api', status: 'error', reason: 'boom' },
      }),
    ).toBe("part of api's plan, now error, reason: boom");
    expect(
      describeDetails({
        action: 'keys.rotate',
        serviceId: null,
        details: { fromKey: 'k-a', toKey: 'k-b', reencrypted: 3 },
      }),
    ).toBe('key k-a → k-b, 3 re-encrypted');
    expect(
      describeDetails({
        action: 'config.update',
        serviceId: 'http',
        details: { rejectedVersion: 2, restoredVersion: 3, reason: 'health check failed' },
      }),
    ).toBe('v2 rejected, previous settings restored as v3, reason: health check failed');
    expect(describeDetails({ action: 'custom', serviceId: null, details: { count: 2, who: 'x' } })).toBe(
      'count=2, who=x',
    );
  });

  it('GIVEN a plan THEN its steps are numbered in order; GIVEN an empty one THEN nothing to do', () => {
    const plan = {
      action: 'enable' as const,
      target: 'api',
      steps: [
        { serviceId: 'cache', action: 'enable' as const },
        { serviceId: 'api', action: 'enable' as const },
      ],
    };
    expect(renderPlan(plan, false)).toBe(
      'Plan: enable 2 services, dependencies first:\n  1. enable cache\n  2. enable api',
    );
    expect(renderPlan({ ...plan, steps: plan.steps.slice(1) }, true)).toBe(
      'Plan (dry run, nothing changed): enable 1 service:\n  1. enable api',
    );
    expect(nothingToDo({ action: 'disable', target: 'api', steps: [] })).toBe(
      'Nothing to do: "api" is already disabled.',
    );
  });
});
