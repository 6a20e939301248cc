import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/databases.js';
import { createReloadableHost, reloadLog } from '../../../core/test/support/reloadable.js';
import { up } from '../../src/commands/up.js';
import { createContext } from '../../src/context.js';
import { run } from '../../src/main.js';
import { captureIo } from '../support/io.js';

/** The `reload` entries of the audit log, oldest first. */
async function reloadEntries(url: string): Promise<{ result: string; actor: string; adapter: string }[]> {
  const db = await openDatabase({ url });
  try {
    const rows = await db.repos.audit.findAll({ where: { action: 'reload' }, order: [['id', 'ASC']] });
    return rows.map((row) => ({ result: row.result, actor: row.actor, adapter: row.adapter }));
  } finally {
    await db.close();
  }
}

describe('servicedeck up --watch on sqlite', () => {
  let testDb: TestDatabase | undefined;
  let stop: ((signal: string) => void) | undefined;
  let running: Promise<number> | undefined;
  afterEach(async () => {
    stop?.('SIGTERM');
    await running?.catch(() => undefined);
    stop = undefined;
    running = undefined;
    await testDb?.cleanup();
    testDb = undefined;
  });

  it('GIVEN up --watch WHEN a service file is written five times within 100 ms THEN the service is reloaded once, with the last version, and one line says so', async () => {
    testDb = await createTestDatabase('sqlite');
    const url = testDb.url;
    const host = await createReloadableHost(`${testDb.dir}/bot`, [
      { id: 'watched', version: '1.0.0', greeting: 'hello' },
    ]);
    const io = captureIo(host.root, { NO_COLOR: '1', SERVICEDECK_WEB: 'off' });
    const context = await createContext({ database: url, services: [host.glob], logFormat: 'json' }, io);
    const until = new Promise<string>((resolve) => {
      stop = resolve;
    });
    running = up(context, { until, watch: { debounceMs: 150 } });
    await expect.poll(() => io.out(), { timeout: 15_000 }).toContain('Press Ctrl-C to stop.');
    await expect
      .poll(() => io.out(), { timeout: 5_000 })
      .toContain(
        `Watching a directory for changes to service files (reload after 150 ms without changes): ${host.root}/services`,
      );
    expect(io.err()).toContain('"msg":"watching service files"');

    // Five writes, 15 ms apart: well within one quiet period of each other.
    for (let n = 1; n <= 5; n += 1) {
      if (n > 1) await sleep(15);
      await host.write({ id: 'watched', version: `1.0.${n}`, greeting: `hello ${n}` });
    }

    // The new behaviour: the last version's enable() ran.
    await expect.poll(() => reloadLog(), { timeout: 10_000 }).toContain('enable: watched@1.0.5');
    await expect
      .poll(() => io.out(), { timeout: 5_000 })
      .toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z reload watched: ok 1\.0\.0 → 1\.0\.5 in (<1|\d+) ms$/m);
    // Well past another quiet period: nothing more happens.
    await sleep(600);
    expect(reloadLog().filter((line) => /^enable: watched@1\.0\.[1-4]$/.test(line))).toEqual([]);
    expect(io.out().match(/ reload watched: /g)).toHaveLength(1);
    const entries = await reloadEntries(url);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ result: 'ok', adapter: 'cli' });

    // A broken version is reported with its stage and reason; the previous one keeps running.
    await host.write({ id: 'watched', version: '1.0.6', append: 'export const = ;' });
    await expect
      .poll(() => io.out(), { timeout: 10_000 })
      .toMatch(
        /^\S+Z reload watched: failed at load in (<1|\d+) ms \(version 1\.0\.5 unchanged\): Reload of "watched" failed while loading its code: .+; the previous version keeps running\.$/m,
      );

    stop?.('SIGTERM');
    expect(await running).toBe(0);
    expect(io.out()).toMatch(/servicedeck stopped\.\n$/);
    expect((await reloadEntries(url)).map((entry) => entry.result)).toEqual(['ok', 'failed']);
  });

  it('GIVEN up --help THEN --watch and --watch-debounce are documented, and a bad --watch-debounce is a usage error, exit 2', async () => {
    const help = captureIo('/');
    expect(await run(['node', 'servicedeck', 'up', '--help'], help)).toBe(0);
    expect(help.out()).toContain('--watch ');
    expect(help.out()).toContain('--watch-debounce <ms>');
    const bad = captureIo('/');
    expect(await run(['node', 'servicedeck', 'up', '--watch-debounce', 'soon'], bad)).toBe(2);
    expect(bad.err()).toContain('Expected a whole number.');
  });
});
