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
      expect(printed).toContain(
        [
          'ID     NAME   TYPE      VERSION  ENABLED  STATUS     DETAIL',
          'alpha  Alpha  internal  1.0.0    yes      ? unknown  started; not checked yet',
          'beta   Beta   wrapper   2.0.0    yes      ? unknown  started; not checked yet',
        ].join('\n'),
      );
      expect(printed).toContain('Skipped (1):\n  ! SD_ERR_PLUGIN_LOAD_FAILED: Cannot load ');
      expect(printed).toContain('servicedeck is running: 2 services, 2 started. Press Ctrl-C to stop.');
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(io.out()).toMatch(/servicedeck stopped\.\n$/);
      const logs = io
        .err()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; service?: string });
      expect(logs.filter((l) => l.msg === 'service stopped').map((l) => l.service)).toEqual([
        'beta',
        'alpha',
      ]);

      const db = await openDatabase({ url: testDb.url });
      const rows = await db.repos.registry.findAll({ order: [['id', 'ASC']] });
      await db.close();
      expect(rows.map((r) => [r.id, r.enabled, r.source])).toEqual([
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
