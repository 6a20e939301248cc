import { EventEmitter } from 'node:events';
import type {
  HealthCheckRecord,
  HealthEvents,
  ServiceRegistryManager,
  ServiceSummary,
  StatusChange,
} from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { LiveView } from '../../src/commands/live-view.js';
import { createContext } from '../../src/context.js';
import { formatAge, formatLatency } from '../../src/output/format.js';
import {
  eraseFrame,
  fitFrame,
  formatStatusChange,
  frameRows,
  redrawFrame,
  renderUpFrame,
} from '../../src/output/live.js';
import { createStyler } from '../../src/output/style.js';
import { captureIo } from '../support/io.js';

const ESC = String.fromCharCode(27);
const plain = createStyler(false);
const NOW = new Date('2026-11-23T21:30:00.000Z');

function summary(id: string, more: Partial<ServiceSummary> = {}): ServiceSummary {
  return {
    latencyMs: null,
    id,
    name: id.toUpperCase(),
    description: '',
    type: 'external',
    version: '1.0.0',
    dependencies: [],
    tags: [],
    enabled: true,
    status: 'unknown',
    statusMessage: 'started; not checked yet',
    running: true,
    missing: false,
    source: null,
    lastHealthCheck: null,
    ...more,
  };
}

function record(serviceId: string, latencyMs: number, checkedAt: Date, status = 'active'): HealthCheckRecord {
  return {
    serviceId,
    instanceId: 'test',
    status: status as HealthCheckRecord['status'],
    latencyMs,
    message: null,
    cause: null,
    checkedAt,
  };
}

describe('the live frame of up', () => {
  it('GIVEN a status change on a terminal THEN the redraw moves the cursor up over the previous frame and clears every line it writes', () => {
    const before = renderUpFrame({
      services: [summary('http'), summary('redis')],
      problems: [],
      style: plain,
      health: { checks: new Map(), now: NOW },
    });
    expect(before).toEqual([
      'ID     NAME   TYPE      VERSION  ENABLED  STATUS     LATENCY  LAST CHECK  DETAIL',
      'http   HTTP   external  1.0.0    yes      ? unknown  -        -           started; not checked yet',
      'redis  REDIS  external  1.0.0    yes      ? unknown  -        -           started; not checked yet',
      '',
      'servicedeck is running: 2 services, 2 started. Press Ctrl-C to stop.',
    ]);
    const checkedAt = new Date(NOW.getTime() - 3_000);
    const after = renderUpFrame({
      services: [
        summary('http', { status: 'active', statusMessage: '200 OK', lastHealthCheck: checkedAt }),
        summary('redis'),
      ],
      problems: [],
      style: plain,
      health: { checks: new Map([['http', record('http', 3.4, checkedAt)]]), now: NOW },
    });
    expect(redrawFrame(frameRows(before), after)).toBe(
      [
        `\r${ESC}[5A`,
        `${ESC}[2KID     NAME   TYPE      VERSION  ENABLED  STATUS     LATENCY  LAST CHECK  DETAIL\n`,
        `${ESC}[2Khttp   HTTP   external  1.0.0    yes      ● active   3 ms     3s ago      200 OK\n`,
        `${ESC}[2Kredis  REDIS  external  1.0.0    yes      ? unknown  -        -           started; not checked yet\n`,
        `${ESC}[2K\n`,
        `${ESC}[2Kservicedeck is running: 2 services, 2 started. Press Ctrl-C to stop.\n`,
        `${ESC}[J`,
      ].join(''),
    );
  });

  it('GIVEN no previous frame THEN the first draw does not move the cursor; GIVEN a log line THEN the frame is erased first', () => {
    expect(redrawFrame(0, ['a', 'b'])).toBe(`${ESC}[2Ka\n${ESC}[2Kb\n${ESC}[J`);
    expect(eraseFrame(2)).toBe(`\r${ESC}[2A${ESC}[J`);
    expect(eraseFrame(0)).toBe('');
  });

  it('GIVEN lines wider than the terminal THEN they count as the rows they wrap onto', () => {
    expect(frameRows(['x'.repeat(25), '', 'y'], 10)).toBe(5);
    expect(frameRows(['x'.repeat(25), '', 'y'])).toBe(3);
  });

  it('GIVEN a frame taller than the terminal THEN it is cut, says how much is left out, and keeps the running line', () => {
    const lines = ['ID', 'a', 'b', 'c', 'd', '', 'running'];
    expect(fitFrame(lines, 5)).toEqual([
      'ID',
      'a',
      'b',
      '… 3 more lines: enlarge the terminal to see them',
      'running',
    ]);
    expect(fitFrame(lines, 7)).toEqual(lines);
    expect(fitFrame(lines, undefined)).toEqual(lines);
  });

  it('GIVEN skipped services THEN the frame keeps the Skipped section above the running line', () => {
    const lines = renderUpFrame({
      services: [summary('http', { running: false, status: 'inactive', statusMessage: 'disabled' })],
      problems: [
        {
          origin: 'x',
          error: { code: 'SD_ERR_PLUGIN_LOAD_FAILED', message: 'Cannot load x.' },
        } as unknown as Parameters<typeof renderUpFrame>[0]['problems'][number],
      ],
      style: plain,
    });
    expect(lines.slice(-5)).toEqual([
      '',
      'Skipped (1):',
      '  ! SD_ERR_PLUGIN_LOAD_FAILED: Cannot load x.',
      '',
      'servicedeck is running: 1 service, 0 started. Press Ctrl-C to stop.',
    ]);
  });
});

describe('the status-change line', () => {
  const change: StatusChange = {
    service: 'http',
    from: 'unknown',
    to: 'active',
    cause: null,
    message: '200 OK',
    at: NOW,
  };

  it('GIVEN the check behind a change THEN the line has its message and latency', () => {
    expect(formatStatusChange(change, record('http', 3.2, NOW))).toBe(
      '2026-11-23T21:30:00.000Z http: unknown → active (200 OK in 3 ms)',
    );
  });

  it('GIVEN a cause THEN it is appended; GIVEN no matching check THEN no latency is made up', () => {
    expect(
      formatStatusChange(
        { ...change, to: 'error', from: 'active', message: 'connection refused', cause: 'redis' },
        record('http', 1_234, NOW, 'error'),
      ),
    ).toBe('2026-11-23T21:30:00.000Z http: active → error (connection refused in 1.2 s) cause: redis');
    expect(formatStatusChange({ ...change, message: null }, record('http', 3, new Date(0)))).toBe(
      '2026-11-23T21:30:00.000Z http: unknown → active',
    );
  });

  it('GIVEN durations THEN they read the way people say them', () => {
    expect([formatLatency(0.4), formatLatency(12.6), formatLatency(2_500), formatLatency(null)]).toEqual([
      '<1 ms',
      '13 ms',
      '2.5 s',
      '-',
    ]);
    const ago = (ms: number): string => formatAge(new Date(NOW.getTime() - ms), NOW);
    expect([ago(400), ago(3_000), ago(125_000), ago(7_200_000), ago(200_000_000)]).toEqual([
      'just now',
      '3s ago',
      '2m ago',
      '2h ago',
      '2d ago',
    ]);
  });
});

describe('LiveView', () => {
  it('GIVEN it is stopped THEN its listeners are removed and later changes print nothing', async () => {
    const events = new EventEmitter<HealthEvents>();
    const manager = {
      events,
      problems: [],
      listServices: async () => [summary('http')],
    } as unknown as ServiceRegistryManager;
    const io = captureIo('/', { NO_COLOR: '1' });
    const context = await createContext({ database: 'sqlite::memory:' }, io);
    const view = new LiveView(manager, context);
    expect(events.listenerCount('statusChange')).toBe(1);
    await view.show();
    const change: StatusChange = {
      service: 'http',
      from: 'unknown',
      to: 'active',
      cause: null,
      message: 'ok',
      at: NOW,
    };
    events.emit('statusChange', change);
    expect(io.out()).toContain('2026-11-23T21:30:00.000Z http: unknown → active (ok)\n');
    await view.stop();
    expect(events.listenerCount('statusChange')).toBe(0);
    expect(events.listenerCount('check')).toBe(0);
    const printed = io.out();
    events.emit('statusChange', { ...change, from: 'active', to: 'error' });
    expect(io.out()).toBe(printed);
  });
});
