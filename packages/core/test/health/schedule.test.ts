import { afterEach, describe, expect, it } from 'vitest';
import { DueSchedule } from '../../src/health/schedule.js';

let schedule: DueSchedule | undefined;
afterEach(() => schedule?.stop());

describe('DueSchedule', () => {
  it('GIVEN ids due at different times THEN they fire in due order and only once', async () => {
    const fired: string[] = [];
    schedule = new DueSchedule((ids) => fired.push(...ids));
    const now = performance.now();
    schedule.schedule('c', now + 60);
    schedule.schedule('a', now + 10);
    schedule.schedule('b', now + 30);
    schedule.start();
    await expect.poll(() => fired).toEqual(['a', 'b', 'c']);
    expect(schedule.size).toBe(0);
  });

  it('GIVEN an id rescheduled earlier or removed THEN the new time holds and removed ids never fire', async () => {
    const fired: string[] = [];
    schedule = new DueSchedule((ids) => fired.push(...ids));
    const now = performance.now();
    schedule.start();
    schedule.schedule('late', now + 5_000);
    schedule.schedule('gone', now + 20);
    schedule.schedule('late', now + 40);
    schedule.remove('gone');
    await expect.poll(() => fired).toEqual(['late']);
  });

  it('GIVEN thousands of ids THEN the heap returns them sorted', () => {
    const order: string[] = [];
    let clock = 0;
    schedule = new DueSchedule(
      (ids) => order.push(...ids),
      () => clock,
    );
    const dues = Array.from({ length: 2_000 }, (_, i) => ((i * 7919) % 2_000) + 1);
    dues.forEach((due, i) => {
      schedule?.schedule(`s${i}`, due);
    });
    expect(schedule.size).toBe(2_000);
    clock = 10_000;
    schedule.start();
    // Everything is due at once: one timer firing hands over all 2,000 ids in due order.
    return expect
      .poll(() => order.length)
      .toBe(2_000)
      .then(() => {
        const times = order.map((id) => dues[Number(id.slice(1))] as number);
        expect(times).toEqual([...times].sort((a, b) => a - b));
      });
  });
});
