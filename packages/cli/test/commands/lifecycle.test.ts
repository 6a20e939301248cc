import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../../tests/support/databases.js';
import type { AuditRow } from '../../src/output/audit.js';
import type { ServiceRow } from '../../src/output/services.js';
import { runBot, useDeck } from '../support/deck.js';
import { parseTable } from '../support/table.js';

describe.each(DIALECTS)('servicedeck enable and disable on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const deck = useDeck(dialect);

  const enabled = async (d: Awaited<ReturnType<typeof deck>>): Promise<Record<string, boolean>> =>
    Object.fromEntries(
      (JSON.parse((await d.run(['list', '--json'])).out) as ServiceRow[]).map((row) => [row.id, row.enabled]),
    );

  it.skipIf(skip)(
    "GIVEN a service with an enabled dependent THEN disable is refused with core's message listing it, exit 1, nothing changed",
    async () => {
      const d = await deck();
      const { code, out, err } = await d.run(['disable', 'alpha']);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toBe(
        'error SD_ERR_DEPENDENTS_ENABLED: Cannot disable "alpha": "beta" depends on it and is enabled. Disable them first, or add --cascade to disable them too.\n',
      );
      expect(await enabled(d)).toMatchObject({ alpha: true, beta: true });
    },
  );

  it.skipIf(skip)(
    'GIVEN --cascade --dry-run THEN only the plan is printed, dependents first, and nothing changes',
    async () => {
      const d = await deck();
      const { code, out, err } = await d.run(['disable', 'alpha', '--cascade', '--dry-run']);
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(out).toBe(
        'Plan (dry run, nothing changed): disable 2 services, dependents first:\n  1. disable beta\n  2. disable alpha\n',
      );
      expect(await enabled(d)).toMatchObject({ alpha: true, beta: true });
      expect(JSON.parse((await d.run(['audit', '--json'])).out)).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN --cascade THEN the plan and each outcome are printed, both are disabled and audited as the OS user via cli',
    async () => {
      const d = await deck();
      // A process that runs the services (health does) has checked them.
      expect((await d.run(['health'])).code).toBe(0);
      const { code, out } = await d.run(['disable', 'alpha', '--cascade']);
      expect(code).toBe(0);
      expect(
        out.startsWith(
          'Plan: disable 2 services, dependents first:\n  1. disable beta\n  2. disable alpha\n\n',
        ),
      ).toBe(true);
      // The command runs no service: it stores the desired state, and shows the status last recorded.
      expect(parseTable(out)).toEqual([
        { ID: 'beta', DESIRED: 'disabled', 'LAST STATUS': '● active', MESSAGE: '' },
        { ID: 'alpha', DESIRED: 'disabled', 'LAST STATUS': '● active', MESSAGE: 'alpha ok' },
      ]);
      expect(out).toMatch(
        /\n\nDone: 2 services stored as disabled; every running servicedeck process applies it within moments \(servicedeck status <id> shows the outcome\)\.\n$/,
      );
      expect(await enabled(d)).toMatchObject({ alpha: false, beta: false });

      // The next process that runs services stops them and records why.
      await runBot(d);
      const rows = JSON.parse((await d.run(['list', '--json'])).out) as ServiceRow[];
      expect(rows.filter((row) => row.id === 'alpha' || row.id === 'beta')).toEqual([
        expect.objectContaining({ id: 'alpha', status: 'inactive', message: 'disabled' }),
        expect.objectContaining({ id: 'beta', status: 'inactive', message: 'disabled' }),
      ]);

      const entries = JSON.parse((await d.run(['audit', '--json'])).out) as AuditRow[];
      expect(entries.map((e) => [e.action, e.serviceId, e.result, e.actor, e.adapter])).toEqual([
        ['disable', 'alpha', 'ok', userInfo().username, 'cli'],
        ['disable', 'beta', 'ok', userInfo().username, 'cli'],
      ]);

      const again = await d.run(['disable', 'alpha']);
      expect(again).toMatchObject({ code: 0, out: 'Nothing to do: "alpha" is already disabled.\n' });
    },
  );

  it.skipIf(skip)(
    'GIVEN a disabled dependency THEN enable is refused (exit 1) unless --with-dependencies, which enables it first',
    async () => {
      const d = await deck();
      await d.run(['disable', 'alpha', '--cascade']);

      const refused = await d.run(['enable', 'beta']);
      expect(refused.code).toBe(1);
      expect(refused.err).toBe(
        'error SD_ERR_DEPENDENCIES_DISABLED: Cannot enable "beta": it depends on "alpha", which is disabled. Enable them first, or add --with-dependencies to enable them together.\n',
      );

      const dry = await d.run(['enable', 'beta', '--with-dependencies', '--dry-run']);
      expect(dry.out).toBe(
        'Plan (dry run, nothing changed): enable 2 services, dependencies first:\n  1. enable alpha\n  2. enable beta\n',
      );
      expect(await enabled(d)).toMatchObject({ alpha: false, beta: false });

      const { code, out } = await d.run(['enable', 'beta', '--with-dependencies']);
      expect(code).toBe(0);
      expect(
        out.startsWith('Plan: enable 2 services, dependencies first:\n  1. enable alpha\n  2. enable beta\n'),
      ).toBe(true);
      expect(parseTable(out).map((row) => [row.ID, row.DESIRED, row['LAST STATUS']])).toEqual([
        ['alpha', 'enabled', '? unknown'],
        ['beta', 'enabled', '? unknown'],
      ]);
      expect(out).toMatch(/Done: 2 services stored as enabled; /);
      expect(await enabled(d)).toMatchObject({ alpha: true, beta: true });
    },
  );

  it.skipIf(skip)(
    'GIVEN a service that is not configured WHEN it is enabled THEN the change is recorded, and the process that applies it records why it does not start',
    async () => {
      const d = await deck();
      await d.run(['disable', 'mailer']);
      await runBot(d);
      const { code, out } = await d.run(['enable', 'mailer']);
      expect(code).toBe(0);
      expect(parseTable(out)).toEqual([
        { ID: 'mailer', DESIRED: 'enabled', 'LAST STATUS': '○ inactive', MESSAGE: 'disabled' },
      ]);
      expect(await enabled(d)).toMatchObject({ mailer: true });
      await runBot(d);
      const status = await d.run(['status', 'mailer', '--json']);
      expect(JSON.parse(status.out)).toMatchObject({
        enabled: true,
        status: 'inactive',
        message: 'not configured: apiKey is required',
      });
    },
  );

  it.skipIf(skip)('GIVEN an unknown service THEN enable says so and exits 1', async () => {
    const d = await deck();
    const { code, err } = await d.run(['enable', 'nope']);
    expect(code).toBe(1);
    expect(err).toMatch(/^error SD_ERR_SERVICE_NOT_FOUND: No service "nope" in the catalog\./);
  });
});
