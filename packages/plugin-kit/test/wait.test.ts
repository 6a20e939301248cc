import { describe, expect, it } from 'vitest';
import { settlesWithin, untilAborted } from '../src/index.js';
import { activeResources } from '../src/testing.js';

const later = <T>(ms: number, value: T): Promise<T> =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('settlesWithin', () => {
  it('GIVEN work that settles in time, fulfilled or rejected THEN true, and no timer is left', async () => {
    const timers = activeResources('Timeout');
    expect(await settlesWithin(later(5, 'x'), 1_000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('closed badly')), 1_000)).toBe(true);
    expect(activeResources('Timeout')).toBe(timers);
  });

  it('GIVEN work that hangs THEN false after the time', async () => {
    expect(await settlesWithin(new Promise(() => undefined), 20)).toBe(false);
  });
});

describe('untilAborted', () => {
  it('GIVEN work that ends first THEN its value or error', async () => {
    const controller = new AbortController();
    expect(await untilAborted(later(5, 42), controller.signal)).toBe(42);
    await expect(
      untilAborted(Promise.reject(new Error('WRONGPASS')), controller.signal),
    ).rejects.toThrowError('WRONGPASS');
  });

  it('GIVEN a signal that aborts first, or already did THEN its reason at once', async () => {
    const controller = new AbortController();
    const waiting = untilAborted(new Promise(() => undefined), controller.signal);
    controller.abort(new Error('no answer within 5000 ms'));
    await expect(waiting).rejects.toThrowError('no answer within 5000 ms');
    await expect(untilAborted(later(5, 1), controller.signal)).rejects.toThrowError(
      'no answer within 5000 ms',
    );
  });
});
