import { NOT_RUN_YET } from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../../tests/support/databases.js';
import type { ServiceDetail, ServiceRow } from '../../src/output/services.js';
import { runBot, startBot, useDeck } from '../support/deck.js';
import { parseTable } from '../support/table.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(DIALECTS)('servicedeck list and status on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const deck = useDeck(dialect);

  it.skipIf(skip)(
    'GIVEN a catalog no process has run THEN list says so of every service, exit 0',
    async () => {
      const d = await deck();
      const { code, out, err } = await d.run(['list']);
      expect(code).toBe(0);
      expect(err).toBe('');
      const rows = parseTable(out);
      expect(rows.map((row) => row.ID)).toEqual(['alpha', 'beta', 'mailer', 'notifier', 'probe', 'process']);
      for (const row of rows) {
        expect(row).toMatchObject({ STATUS: '? unknown', 'LAST CHECK': '-', DETAIL: NOT_RUN_YET });
      }
      expect(out).toMatch(
        /\n\n6 services: 6 enabled, 0 disabled\. No servicedeck process has run services on this database yet: start the bot or servicedeck up\.\n$/,
      );
    },
  );

  it.skipIf(skip)(
    'GIVEN a bot that started the services and checked none THEN list shows the running ones as not checked yet and the others with why, exit 0',
    async () => {
      const d = await deck();
      await runBot(d);
      const { code, out, err } = await d.run(['list']);
      expect(code).toBe(0);
      expect(err).toBe('');
      const rows = parseTable(out);
      expect(Object.keys(rows[0] ?? {})).toEqual([
        'ID',
        'NAME',
        'TYPE',
        'VERSION',
        'ENABLED',
        'STATUS',
        'LAST CHECK',
        'DETAIL',
      ]);
      expect(rows.map((row) => row.ID)).toEqual(['alpha', 'beta', 'mailer', 'notifier', 'probe', 'process']);
      const byId = new Map(rows.map((row) => [row.ID, row]));
      expect(byId.get('alpha')).toEqual({
        ID: 'alpha',
        NAME: 'Alpha',
        TYPE: 'internal',
        VERSION: '1.0.0',
        ENABLED: 'yes',
        STATUS: '? unknown',
        'LAST CHECK': '-',
        DETAIL: 'started; not checked yet',
      });
      expect(byId.get('notifier')).toMatchObject({
        STATUS: '○ inactive',
        DETAIL: 'not configured: endpoint is required, token is required',
      });
      // The bot stopped again: list says that the statuses are as it left them.
      expect(out).toMatch(
        /\n\n6 services: 6 enabled, 0 disabled\. No servicedeck process is running \(the last one was heard from (just now|\ds ago)\): statuses are as it left them\.\n$/,
      );
    },
  );

  it.skipIf(skip)(
    'GIVEN checks recorded (by health) and a disabled service THEN list shows each last check, filters by type and enabled',
    async () => {
      const d = await deck();
      expect((await d.run(['health'])).code).toBe(0);
      expect((await d.run(['disable', 'mailer'])).code).toBe(0);
      // The desired state changed; the status is still the one the last running process recorded.
      const recorded = parseTable((await d.run(['list'])).out).find((row) => row.ID === 'mailer');
      expect(recorded).toMatchObject({
        ENABLED: 'no',
        STATUS: '○ inactive',
        DETAIL: 'not configured: apiKey is required',
      });
      // A process that runs services (health does) applies it and records why mailer does not run.
      expect((await d.run(['health'])).code).toBe(0);

      const rows = parseTable((await d.run(['list'])).out);
      const byId = new Map(rows.map((row) => [row.ID, row]));
      expect(byId.get('alpha')).toMatchObject({ STATUS: '● active', DETAIL: 'alpha ok' });
      expect(byId.get('alpha')?.['LAST CHECK']).toMatch(/^(just now|\ds ago)$/);
      expect(byId.get('mailer')).toMatchObject({ ENABLED: 'no', STATUS: '○ inactive', DETAIL: 'disabled' });

      const external = parseTable((await d.run(['list', '--type', 'external', '--enabled'])).out);
      expect(external.map((row) => row.ID)).toEqual(['notifier', 'probe']);

      const none = await d.run(['list', '--type', 'wrapper', '--enabled', '--json']);
      expect(JSON.parse(none.out)).toEqual([expect.objectContaining({ id: 'beta', type: 'wrapper' })]);

      const bad = await d.run(['list', '--type', 'plugin']);
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(
        "argument 'plugin' is invalid. Allowed choices are internal, external, wrapper.",
      );
    },
  );

  it.skipIf(skip)('GIVEN --json THEN list prints an array of rows in the documented shape', async () => {
    const d = await deck();
    await d.run(['health']);
    const { code, out } = await d.run(['list', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out) as ServiceRow[];
    expect(rows.map((row) => row.id)).toEqual(['alpha', 'beta', 'mailer', 'notifier', 'probe', 'process']);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'id',
        'name',
        'description',
        'type',
        'version',
        'tags',
        'dependencies',
        'enabled',
        'missing',
        'status',
        'message',
        'lastCheckAt',
      ]);
    }
    expect(rows[1]).toEqual({
      id: 'beta',
      name: 'Beta',
      description: '',
      type: 'wrapper',
      version: '2.0.0',
      tags: [],
      dependencies: ['alpha'],
      enabled: true,
      missing: false,
      status: 'active',
      message: null,
      lastCheckAt: expect.stringMatching(ISO),
    });
    expect(rows.find((row) => row.id === 'mailer')).toMatchObject({
      status: 'inactive',
      message: 'not configured: apiKey is required',
      lastCheckAt: null,
    });
  });

  it.skipIf(skip)(
    'GIVEN checks recorded THEN status shows type, version, state, dependencies and dependents, source, last check, uptime and recent checks',
    async () => {
      const d = await deck();
      await d.run(['health']);
      await d.run(['health', 'alpha']);
      const { code, out, err } = await d.run(['status', 'alpha']);
      expect(code).toBe(0);
      expect(err).toBe('');
      const lines = out.split('\n');
      expect(lines.slice(0, 2)).toEqual(['alpha — Alpha', 'The first fixture service.']);
      const fact = (label: string): string | undefined =>
        lines
          .find((line) => line.startsWith(`${label} `))
          ?.slice(label.length)
          .trim();
      expect(fact('Type')).toBe('internal');
      expect(fact('Version')).toBe('1.0.0');
      expect(fact('Enabled')).toBe('yes');
      expect(fact('Status')).toBe('● active — alpha ok');
      expect(fact('Recorded by')).toMatch(
        /^no running process; the last one was heard from (just now|\ds ago)$/,
      );
      expect(fact('Depends on')).toBe('-');
      expect(fact('Dependents')).toBe('beta');
      expect(fact('Tags')).toBe('fixture');
      expect(fact('Source')).toMatch(/alpha\.service\.js \(package sd-plugin-valid\)$/);
      expect(fact('Last check')).toMatch(/^(just now|\ds ago): ● active in (<1|\d+) ms — alpha ok$/);
      expect(fact('Uptime (24 h)')).toBe('100% (2 of 2 checks active)');
      const checks = parseTable(out, 'WHEN');
      expect(checks).toHaveLength(2);
      expect(checks[0]).toMatchObject({ STATUS: '● active', CAUSE: '', MESSAGE: 'alpha ok' });
      expect(checks[0]?.WHEN).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const beta = (await d.run(['disable', 'alpha', '--cascade'])).code;
      expect(beta).toBe(0);
      await runBot(d);
      const disabled = await d.run(['status', 'beta', '--checks', '0']);
      const betaLines = disabled.out.split('\n');
      expect(betaLines.find((line) => line.startsWith('Status '))).toMatch(/○ inactive — disabled$/);
      expect(betaLines.find((line) => line.startsWith('Depends on '))).toMatch(/alpha \(disabled\)$/);
      expect(disabled.out).not.toContain('Recent checks');
    },
  );

  it.skipIf(skip)('GIVEN --json THEN status prints the detail in the documented shape', async () => {
    const d = await deck();
    await d.run(['health']);
    const { code, out } = await d.run(['status', 'beta', '--json']);
    expect(code).toBe(0);
    const detail = JSON.parse(out) as ServiceDetail;
    expect(Object.keys(detail)).toEqual([
      'id',
      'name',
      'description',
      'type',
      'version',
      'tags',
      'dependencies',
      'enabled',
      'missing',
      'status',
      'message',
      'lastCheckAt',
      'dependents',
      'source',
      'lastCheck',
      'uptime',
      'checks',
    ]);
    const check = {
      status: 'active',
      latencyMs: expect.any(Number),
      message: null,
      cause: null,
      checkedAt: expect.stringMatching(ISO),
      instanceId: expect.any(String),
    };
    expect(detail).toEqual({
      id: 'beta',
      name: 'Beta',
      description: '',
      type: 'wrapper',
      version: '2.0.0',
      tags: [],
      dependencies: ['alpha'],
      enabled: true,
      missing: false,
      status: 'active',
      message: null,
      lastCheckAt: expect.stringMatching(ISO),
      dependents: [],
      source: expect.stringContaining('beta.service.js'),
      lastCheck: check,
      uptime: { windowHours: 24, checks: 1, active: 1, ratio: 1 },
      checks: [check],
    });
    expect(Object.keys(detail.checks[0] ?? {})).toEqual([
      'status',
      'latencyMs',
      'message',
      'cause',
      'checkedAt',
      'instanceId',
    ]);
  });

  it.skipIf(skip)(
    'GIVEN a bot running on the database THEN list says the statuses are the ones it records',
    async () => {
      const d = await deck();
      const bot = await startBot(d);
      try {
        const { out } = await d.run(['list']);
        expect(out).toMatch(/\. Statuses as recorded by 1 running servicedeck process\.\n$/);
        const detail = (await d.run(['status', 'alpha'])).out;
        expect(detail).toMatch(/^Recorded by +1 running servicedeck process$/m);
      } finally {
        await bot.shutdown();
      }
    },
  );

  it.skipIf(skip)(
    'GIVEN statuses recorded by a process running the services THEN management commands leave them as they were',
    async () => {
      const d = await deck();
      expect((await d.run(['health'])).code).toBe(0);
      const observed = async () =>
        (JSON.parse((await d.run(['list', '--json'])).out) as ServiceRow[]).map((row) => [
          row.id,
          row.status,
          row.message,
          row.lastCheckAt,
        ]);
      const before = await observed();
      expect(before).toContainEqual(['alpha', 'active', 'alpha ok', expect.stringMatching(ISO)]);
      for (const args of [
        ['disable', 'mailer'],
        ['enable', 'mailer'],
        ['config', 'set', 'probe', 'url=http://127.0.0.1:9/'],
        ['config', 'get', 'notifier'],
        ['status', 'alpha'],
        ['audit'],
      ]) {
        expect((await d.run(args)).code).toBe(0);
      }
      expect(await observed()).toEqual(before);
    },
  );

  it.skipIf(skip)('GIVEN an unknown id THEN status says so on one line and exits 1', async () => {
    const d = await deck();
    const { code, out, err } = await d.run(['status', 'nope']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(
      /^error SD_ERR_SERVICE_NOT_FOUND: No service "nope" in the catalog\. Known services: .*\n$/,
    );
  });
});
