import path from 'node:path';
import { openDatabase } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../../tests/support/databases.js';
import { createHost, type FixtureHost } from '../../../core/test/support/host.js';
import { up } from '../../src/commands/up.js';
import { createContext } from '../../src/context.js';
import { createCliHost } from '../support/host.js';
import { type Endpoint, startEndpoint } from '../support/http.js';
import { type CapturedIo, captureIo } from '../support/io.js';
import { parseTable } from '../support/table.js';

/** The catalog table's lines, split into cells (columns are separated by two or more spaces). */
function catalogRows(printed: string): string[][] {
  const lines = printed.split('\n');
  const start = lines.findIndex((line) => line.startsWith('ID '));
  const end = lines.indexOf('', start);
  return lines.slice(start, end).map((line) => line.split(/ {2,}/));
}

describe.each(DIALECTS)('servicedeck up on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await host?.cleanup();
    await testDb?.cleanup();
  });

  it.skipIf(skip)(
    'GIVEN a bot with plugins THEN it syncs the catalog, prints it, and stops cleanly on the signal',
    async () => {
      host = await createHost(['sd-plugin-valid', 'sd-plugin-throws']);
      testDb = await createTestDatabase(dialect);
      const io = captureIo(host.root, { NO_COLOR: '1', SERVICEDECK_WEB_PORT: '0' });
      const context = await createContext({ database: testDb.url, logFormat: 'json' }, io);
      let stop: (signal: string) => void = () => undefined;
      const until = new Promise<string>((resolve) => {
        stop = resolve;
      });
      const running = up(context, { until });
      await expect.poll(() => io.out(), { timeout: 15_000 }).toContain('Press Ctrl-C to stop.');
      const printed = io.out();
      const table = catalogRows(printed);
      expect(table[0]).toEqual(['ID', 'NAME', 'TYPE', 'VERSION', 'ENABLED', 'STATUS', 'DETAIL']);
      expect(table.slice(1, 3)).toEqual([
        ['alpha', 'Alpha', 'internal', '1.0.0', 'yes', '? unknown', 'started; not checked yet'],
        ['beta', 'Beta', 'wrapper', '2.0.0', 'yes', '? unknown', 'started; not checked yet'],
      ]);
      // The built-in process service may have been checked already.
      expect(table[3]?.slice(0, 5)).toEqual(['process', 'Bot process', 'internal', '-', 'yes']);
      expect(['? unknown', '● active']).toContain(table[3]?.[5]);
      expect(printed).toContain('Skipped (1):\n  ! SD_ERR_PLUGIN_LOAD_FAILED: Cannot load ');
      expect(printed).toContain('servicedeck is running: 3 services, 3 started. Press Ctrl-C to stop.');
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(io.out()).toMatch(/servicedeck stopped\.\n$/);
      const logs = io
        .err()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; service?: string });
      const stopped = logs.filter((l) => l.msg === 'service stopped').map((l) => l.service);
      expect(stopped.indexOf('beta')).toBeLessThan(stopped.indexOf('alpha'));
      expect([...stopped].sort()).toEqual(['alpha', 'beta', 'process']);

      const db = await openDatabase({ url: testDb.url });
      const rows = await db.repos.registry.findAll({ order: [['id', 'ASC']] });
      await db.close();
      expect(rows.filter((r) => r.id !== 'process').map((r) => [r.id, r.enabled, r.source])).toEqual([
        [
          'alpha',
          true,
          expect.stringContaining(
            `${path.sep}sd-plugin-valid${path.sep}dist${path.sep}alpha.service.js (package sd-plugin-valid)`,
          ),
        ],
        ['beta', true, expect.stringContaining('beta.service.js (package sd-plugin-valid)')],
      ]);
    },
  );
});

describe.each(DIALECTS)('servicedeck up, live status, on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  let endpoint: Endpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    await host?.cleanup();
    await testDb?.cleanup();
  });

  /** Starts `up` on a bot with the probe plugin, whose endpoint answers 200 OK at first. */
  async function upWithProbe(tty: boolean): Promise<{
    io: CapturedIo;
    running: Promise<number>;
    stop: (signal: string) => void;
  }> {
    endpoint = await startEndpoint(200, 'OK');
    host = await createCliHost([], ['sd-plugin-probe']);
    testDb = await createTestDatabase(dialect);
    const io = captureIo(host.root, {
      NO_COLOR: '1',
      SERVICEDECK_SVC_PROBE__URL: endpoint.url,
      SERVICEDECK_WEB_PORT: '0',
    });
    if (tty) Object.assign(io.stdout, { isTTY: true, columns: 160, rows: 40 });
    const context = await createContext({ database: testDb.url, logFormat: 'json' }, io);
    let stop: (signal: string) => void = () => undefined;
    const until = new Promise<string>((resolve) => {
      stop = resolve;
    });
    return { io, running: up(context, { until }), stop };
  }

  it.skipIf(skip)(
    'GIVEN stdout is not a terminal WHEN a service turns healthy and then fails THEN one plain line is printed per change',
    async () => {
      const { io, running, stop } = await upWithProbe(false);
      await expect
        .poll(() => io.out(), { timeout: 15_000 })
        .toMatch(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z probe: unknown → active \(200 OK in (<1|\d+) ms\)$/m,
        );
      // The catalog above the lines is the plain one, printed once.
      expect(parseTable(io.out()).find((row) => row.ID === 'probe')).toEqual({
        ID: 'probe',
        NAME: 'Probe',
        TYPE: 'external',
        VERSION: '0.1.0',
        ENABLED: 'yes',
        STATUS: '? unknown',
        DETAIL: 'started; not checked yet',
      });
      expect(parseTable(io.out()).find((row) => row.ID === 'mailer')?.DETAIL).toBe(
        'not configured: apiKey is required',
      );
      endpoint?.answer(503, 'database down');
      await expect
        .poll(() => io.out(), { timeout: 15_000 })
        .toMatch(/^\S+Z probe: active → error \(503 database down in (<1|\d+) ms\)$/m);
      stop('SIGTERM');
      expect(await running).toBe(0);
      const out = io.out();
      expect(out).toMatch(/servicedeck stopped\.\n$/);
      expect(out).not.toContain(String.fromCharCode(27));
    },
  );

  it.skipIf(skip)(
    'GIVEN stdout is a terminal WHEN checks complete THEN the catalog is redrawn in place with latency and last check',
    async () => {
      const { io, running, stop } = await upWithProbe(true);
      const esc = String.fromCharCode(27);
      /** The last frame drawn, as the terminal shows it. */
      const lastFrame = (): string => {
        const frames = io.out().split(`${esc}[J`);
        const last = frames.at(-2) ?? '';
        return last.replace(new RegExp(`\r|${esc}\\[\\d*[AK]`, 'g'), '');
      };
      await expect
        .poll(() => parseTable(lastFrame()).find((row) => row.ID === 'probe')?.STATUS, { timeout: 15_000 })
        .toBe('● active');
      // Redrawn in place (on the next check, or the clock's tick): the cursor goes back up over the whole
      // previous frame (6 rows: header, 3 services, blank line, running line), which is written again.
      await expect.poll(() => io.out(), { timeout: 15_000 }).toContain(`\r${esc}[6A${esc}[2KID  `);
      const frame = lastFrame();
      const probe = parseTable(frame).find((row) => row.ID === 'probe');
      expect(probe?.LATENCY).toMatch(/^(<1|\d+) ms$/);
      expect(probe?.['LAST CHECK']).toMatch(/^(just now|\d+s ago)$/);
      expect(parseTable(frame).find((row) => row.ID === 'mailer')).toMatchObject({
        STATUS: '○ inactive',
        LATENCY: '-',
        'LAST CHECK': '-',
        DETAIL: 'not configured: apiKey is required',
      });
      expect(frame).toContain('servicedeck is running: 3 services, 2 started. Press Ctrl-C to stop.');
      expect(frame.split('\n')).toHaveLength(7);
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(io.out()).toMatch(/servicedeck stopped\.\n$/);
    },
  );
});
