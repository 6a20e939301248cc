import { afterEach, describe, expect, it } from 'vitest';
import { ProcessHealthService } from '../src/process-health.service.js';

let service: ProcessHealthService | undefined;
afterEach(() => service?.disable());

function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy-wait: this is the event-loop delay being measured.
  }
}

describe('ProcessHealthService', () => {
  it('GIVEN an idle process THEN it is active and reports delay, heap, memory and uptime', async () => {
    service = new ProcessHealthService();
    service.updateConfig({ maxEventLoopDelayMs: 500, maxHeapUsedRatio: 0.9 });
    service.enable();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = service.healthCheck();
    expect(result.status).toBe('active');
    expect(result.message).toMatch(/^event loop p99 [\d.]+ ms, heap \d+\/\d+ MB, rss \d+ MB, up \d+/);
    expect(Object.keys(result.details ?? {}).sort()).toEqual([
      'eventLoopDelayMaxMs',
      'eventLoopDelayP99Ms',
      'heapLimitMb',
      'heapUsedMb',
      'rssMb',
      'uptimeSeconds',
    ]);
  });

  it('GIVEN the event loop blocked past the limit THEN it is in error saying by how much', async () => {
    service = new ProcessHealthService();
    service.updateConfig({ maxEventLoopDelayMs: 50, maxHeapUsedRatio: 0.9 });
    service.enable();
    await new Promise((resolve) => setTimeout(resolve, 50));
    block(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const result = service.healthCheck();
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^event loop delayed \d+(\.\d)? ms \(limit 50\): event loop p99/);
    // The window restarts after each check.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(service.healthCheck().status).toBe('active');
  });

  it('GIVEN a heap limit below what is in use THEN it is in error; disabled it is inactive', () => {
    service = new ProcessHealthService();
    service.updateConfig({ maxEventLoopDelayMs: 500, maxHeapUsedRatio: 0.000001 });
    service.enable();
    expect(service.healthCheck()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^heap \d+% of its limit \(limit 0%\)/),
    });
    service.disable();
    expect(service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
  });
});
