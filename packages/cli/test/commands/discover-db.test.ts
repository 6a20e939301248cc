import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MIGRATIONS } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../../tests/support/databases.js';
import type { FixtureHost } from '../../../core/test/support/host.js';
import type { DbJson } from '../../src/commands/db.js';
import type { DiscoverJson } from '../../src/commands/discover.js';
import { run } from '../../src/main.js';
import { useDeck } from '../support/deck.js';
import { createCliHost } from '../support/host.js';
import { captureIo } from '../support/io.js';
import { parseTable } from '../support/table.js';

describe('servicedeck discover', () => {
  let host: FixtureHost | undefined;
  afterEach(async () => {
    await host?.cleanup();
    host = undefined;
  });

  async function discover(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
    host = await createCliHost(['sd-plugin-valid', 'sd-plugin-missing-dep', 'sd-plugin-unbuilt']);
    const io = captureIo(host.root, { NO_COLOR: '1' });
    const code = await run(['node', 'servicedeck', 'discover', ...args], io);
    return { code, out: io.out(), err: io.err() };
  }

  it('GIVEN plugins that load and plugins that do not THEN it lists packages, services in start order and each skip with its reason', async () => {
    const { code, out, err } = await discover([]);
    expect(code).toBe(0);
    expect(err).toBe('');
    const root = (host as FixtureHost).root;
    expect(out.split('\n')[0]).toBe(`Root: ${root}`);
    const services = out.slice(out.indexOf('Services ('), out.indexOf('\n\nSkipped'));
    expect(services.split('\n')[0]).toMatch(/^Services \(\d+, in start order\):$/);
    const rows = parseTable(services.split('\n').slice(1).join('\n'));
    const ids = rows.map((row) => row.ID);
    expect(ids).toContain('alpha');
    expect(ids.indexOf('alpha')).toBeLessThan(ids.indexOf('beta'));
    expect(rows.find((row) => row.ID === 'beta')).toMatchObject({ 'DEPENDS ON': 'alpha' });
    expect(out).toMatch(/Skipped \(\d+\):/);
    expect(out).toContain('sd-plugin-unbuilt');
    expect(out).toContain('SD_ERR_PLUGIN_INVALID');
    expect(out).toContain('SD_ERR_DEPENDENCY_MISSING');
    expect(out).not.toContain(`${root}/node_modules`);
  });

  it('GIVEN --json --strict THEN it prints the documented shape and exits 1 because something was skipped', async () => {
    const { code, out } = await discover(['--json', '--strict']);
    expect(code).toBe(1);
    const json = JSON.parse(out) as DiscoverJson;
    expect(Object.keys(json)).toEqual(['root', 'packages', 'services', 'skipped']);
    expect(json.packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['sd-plugin-valid', 'sd-plugin-missing-dep', 'sd-plugin-unbuilt']),
    );
    expect(json.services.find((s) => s.id === 'beta')).toMatchObject({
      type: expect.any(String),
      dependencies: ['alpha'],
      source: expect.stringContaining('sd-plugin-valid'),
    });
    for (const skipped of json.skipped) {
      expect(Object.keys(skipped)).toEqual(['origin', 'serviceId', 'code', 'message', 'hint']);
      expect(skipped.code).toMatch(/^SD_ERR_/);
    }
  });
});

describe.each(DIALECTS)('servicedeck db on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const deck = useDeck(dialect);

  it.skipIf(skip)(
    'GIVEN a database THEN migrate applies what is pending, status lists every migration as applied, and migrate again applies nothing',
    async () => {
      const d = await deck();
      const migrate = await d.run(['db', 'migrate', '--json']);
      expect(migrate.code).toBe(0);
      const migrated = JSON.parse(migrate.out) as DbJson;
      expect(migrated).toEqual({
        database: expect.stringMatching(dialect === 'sqlite' ? /^SQLite / : /^PostgreSQL /),
        migrations: MIGRATIONS.map((m) => ({ name: m.name, applied: true })),
        pending: 0,
        applied: MIGRATIONS.map((m) => m.name),
      });

      const status = await d.run(['db', 'status']);
      expect(status.code).toBe(0);
      expect(status.out).toMatch(dialect === 'sqlite' ? /^Database: SQLite / : /^Database: PostgreSQL /);
      expect(parseTable(status.out, 'MIGRATION')).toEqual(
        migrated.migrations.map((m) => ({ MIGRATION: m.name, STATE: 'applied' })),
      );
      expect(status.out.endsWith('\nUp to date.\n')).toBe(true);

      const again = await d.run(['db', 'migrate']);
      expect(again.code).toBe(0);
      expect(again.out.endsWith('\nAlready up to date: nothing applied.\n')).toBe(true);
    },
  );
});

describe('servicedeck db on a new SQLite file', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN no database file THEN status says so and creates nothing (exit 1), and migrate creates it with every migration', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-db-'));
    const file = path.join(dir, 'bot.db');
    const status = captureIo(dir, { NO_COLOR: '1' });
    expect(await run(['node', 'servicedeck', '-d', `sqlite:${file}`, 'db', 'status'], status)).toBe(1);
    expect(status.err()).toBe(
      `error: There is no database at ${file}: nothing to report. Create it with servicedeck db migrate (or servicedeck up), or pass --database.\n`,
    );
    expect(existsSync(file)).toBe(false);

    const migrate = captureIo(dir, { NO_COLOR: '1' });
    expect(await run(['node', 'servicedeck', '-d', `sqlite:${file}`, 'db', 'migrate'], migrate)).toBe(0);
    expect(migrate.out()).toMatch(/\nApplied \d+ migrations?: 0001-initial-schema/);
    expect(existsSync(file)).toBe(true);
  });
});
