import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../src/health/semaphore.js';

describe('Semaphore', () => {
  it('GIVEN more work than slots THEN at most the limit runs at once, first come first served', async () => {
    const semaphore = new Semaphore(3);
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const releases: (() => void)[] = [];
    const jobs = Array.from({ length: 10 }, (_, i) =>
      semaphore.run(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
      }),
    );
    await expect.poll(() => started.length).toBe(3);
    expect(semaphore.waiting).toBe(7);
    while (releases.length > 0 || started.length < 10) {
      const release = releases.shift();
      release?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    for (const release of releases) release();
    await Promise.all(jobs);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(semaphore.peak).toBe(3);
    expect(semaphore.inUse).toBe(0);
  });

  it('GIVEN work that throws THEN its slot is released', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore.run(async () => 'next')).toBe('next');
  });

  it('GIVEN a limit below one THEN it is refused', () => {
    expect(() => new Semaphore(0)).toThrow('limit must be a whole number ≥ 1, got 0');
  });
});
