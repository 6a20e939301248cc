import { describe, expect, it } from 'vitest';
import { describeHttpStatus, formatClock, hostPort } from '../src/index.js';

describe('describeHttpStatus', () => {
  it.each([
    [401, undefined, 'authentication failed (401 Unauthorized)'],
    [403, undefined, 'permission denied (403 Forbidden)'],
    [407, undefined, 'proxy authentication failed (407 Proxy Authentication Required)'],
    [429, undefined, 'rate limited (429 Too Many Requests)'],
    [503, 'Down for maintenance', 'server error (503 Down for maintenance)'],
    [404, undefined, 'unexpected 404 Not Found'],
    [299, undefined, 'unexpected 299'],
  ])('GIVEN status %i THEN it reads %s', (status, text, expected) => {
    expect(describeHttpStatus(status, text)).toBe(expected);
  });
});

describe('formatClock', () => {
  it('GIVEN a time today THEN it is HH:MM on the 24-hour clock', () => {
    const now = new Date(2026, 10, 23, 9, 0);
    expect(formatClock(new Date(2026, 10, 23, 14, 5, 59), now)).toBe('14:05');
    expect(formatClock(new Date(2026, 10, 23, 0, 7), now)).toBe('00:07');
  });

  it('GIVEN a time on another day THEN the date comes first', () => {
    const now = new Date(2026, 10, 23, 23, 50);
    expect(formatClock(new Date(2026, 10, 24, 0, 10), now)).toBe('2026-11-24 00:10');
  });
});

describe('hostPort', () => {
  it('GIVEN a host name, an IPv4 and an IPv6 address THEN IPv6 is bracketed', () => {
    expect(hostPort('db.internal', 5432)).toBe('db.internal:5432');
    expect(hostPort('127.0.0.1', '6379')).toBe('127.0.0.1:6379');
    expect(hostPort('::1', 6379)).toBe('[::1]:6379');
    expect(hostPort('[::1]', 6379)).toBe('[::1]:6379');
  });
});
