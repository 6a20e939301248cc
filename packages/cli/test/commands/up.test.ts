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
import { captureIo } from '../support/io.js';

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
      const io = captureIo(host.root, { NO_COLOR: '1' });
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
