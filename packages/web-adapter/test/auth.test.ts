import { describe, expect, it } from 'vitest';
import { RateLimiter, SessionStore, sameSecret } from '../src/index.js';

describe('RateLimiter', () => {
  it('GIVEN the limit reached THEN the next request waits, other keys do not, and the window slides', () => {
    const limiter = new RateLimiter(3, 60_000);
    const t0 = 1_000_000 * 60_000;
    expect([0, 1, 2].map((i) => limiter.take('a', t0 + i))).toEqual([0, 0, 0]);
    expect(limiter.take('a', t0 + 10)).toBeGreaterThan(0);
    expect(limiter.take('b', t0 + 10)).toBe(0);
    // Half into the next window, half of the previous three still count (1.5): two more fit, not three.
    expect(limiter.take('a', t0 + 90_000)).toBe(0);
    expect(limiter.take('a', t0 + 90_001)).toBe(0);
    expect(limiter.take('a', t0 + 90_002)).toBeGreaterThan(0);
    // Two windows later, everything has slid out.
    expect([0, 1, 2].map((i) => limiter.take('a', t0 + 180_000 + i))).toEqual([0, 0, 0]);
  });
});

describe('SessionStore', () => {
  it('GIVEN a session THEN use keeps it alive, idleness ends it, and closing all of a user ends theirs only', () => {
    const store = new SessionStore(1_000);
    const a = store.open('alice', 'manage', 0);
    const b = store.open('bob', 'read', 0);
    expect(store.get(a.id, 900)?.actor).toBe('alice');
    expect(store.get(a.id, 1_800)?.actor).toBe('alice');
    expect(store.get(b.id, 1_800)).toBeUndefined();
    expect(store.closeAllOf('alice')).toBe(1);
    expect(store.get(a.id, 1_801)).toBeUndefined();
  });
});

describe('sameSecret', () => {
  it('GIVEN two strings THEN they are equal only when identical, whatever their lengths', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abd')).toBe(false);
    expect(sameSecret('abc', 'abcd')).toBe(false);
  });
});
