import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../../tests/support/databases.js';
import type { AuditRow } from '../../src/output/audit.js';
import type { ConfigJson, ConfigVersionJson } from '../../src/output/config.js';
import { liveConfig, useDeck } from '../support/deck.js';
import { fakeTerminal } from '../support/io.js';
import { parseTable } from '../support/table.js';

const SECRET = 'xoxb-Plaintext-Secret-4242';
const OTHER_SECRET = 'second-Plaintext-Secret-77';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe.each(DIALECTS)('servicedeck config on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const deck = useDeck(dialect);

  it.skipIf(skip)(
    'GIVEN nothing stored THEN config get shows each setting with its source, the version and the problems',
    async () => {
      const d = await deck();
      const { code, out, err } = await d.run(['config', 'get', 'notifier']);
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(out.split('\n')[0]).toBe(
        'Settings of notifier: nothing stored yet (version 0); changes apply live.',
      );
      expect(parseTable(out, 'KEY')).toEqual([
        { KEY: 'endpoint', VALUE: '', SOURCE: 'unset' },
        { KEY: 'token (secret)', VALUE: '', SOURCE: 'unset' },
        { KEY: 'retries', VALUE: '3', SOURCE: 'default' },
        { KEY: 'channel', VALUE: 'general', SOURCE: 'default' },
      ]);
      expect(out).toContain(
        '\n\nNot configured (the service does not start until this is fixed):\n  /endpoint: endpoint is required\n  /token: token is required\n',
      );
    },
  );

  it.skipIf(skip)(
    'GIVEN a secret given on the command line THEN it is refused with how to give it, exit 2, and nothing is stored',
    async () => {
      const d = await deck();
      const { code, out, err } = await d.run([
        'config',
        'set',
        'notifier',
        'endpoint=https://hooks.example/a',
        `token=${SECRET}`,
      ]);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(
        `error: "token" is a secret of "notifier" and not accepted on the command line, where a value stays in the shell history and the process list; nothing was stored. Pipe it in: printf '%s' "$VALUE" | servicedeck config set notifier token --stdin, or run servicedeck config set notifier token on a terminal to be asked for it with echo off.\n`,
      );
      expect((await d.run(['config', 'history', 'notifier'])).out).toBe(
        'No settings of notifier were ever stored.\n',
      );
      expect(JSON.parse((await d.run(['audit', '--json'])).out)).toEqual([]);
      expect(d.printed()).not.toContain(SECRET);
    },
  );

  it.skipIf(skip)(
    'GIVEN a secret on standard input (--stdin) THEN it is stored as given, the service starts, and no output ever shows it',
    async () => {
      const d = await deck();
      const set = await d.run(
        ['--verbose', 'config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'token', '--stdin'],
        {
          stdin: `${SECRET}\n`,
        },
      );
      expect(set.code).toBe(0);
      expect(set.out).toBe(
        'notifier: version 1 — stored; running servicedeck processes apply it (live, or when the service starts).\n  endpoint: (unset) → https://hooks.example/a\n  token: (unset) → ••••••\n',
      );
      expect(set.err).not.toBe(''); // --verbose: debug logs, searched below too
      expect(await liveConfig(d, 'notifier')).toMatchObject({
        endpoint: 'https://hooks.example/a',
        token: SECRET,
      });

      const get = await d.run(['config', 'get', 'notifier']);
      expect(parseTable(get.out, 'KEY')[1]).toEqual({
        KEY: 'token (secret)',
        VALUE: '••••••',
        SOURCE: 'stored',
      });

      const replaced = await d.run(['config', 'set', 'notifier', 'token', '--stdin'], {
        stdin: OTHER_SECRET,
      });
      expect(replaced.out).toBe(
        'notifier: version 2 — stored; running servicedeck processes apply it (live, or when the service starts).\n  token: •••••• → ••••••\n',
      );
      expect(await liveConfig(d, 'notifier')).toMatchObject({ token: OTHER_SECRET });

      for (const args of [
        ['config', 'get', 'notifier', '--json'],
        ['config', 'history', 'notifier'],
        ['config', 'history', 'notifier', '--json'],
        ['--verbose', 'config', 'rollback', 'notifier', '1'],
        ['audit'],
        ['audit', '--json'],
        ['status', 'notifier', '--json'],
        ['list', '--json'],
        ['health', 'notifier', '--json'],
      ]) {
        expect((await d.run(args)).code).toBe(0);
      }
      expect(await liveConfig(d, 'notifier')).toMatchObject({ token: SECRET });
      expect(d.printed()).toContain('••••••');
      expect(d.printed()).not.toContain(SECRET);
      expect(d.printed()).not.toContain(OTHER_SECRET);
    },
  );

  it.skipIf(skip)(
    'GIVEN a terminal THEN a bare secret key is asked for with echo off, stored, and not shown; Ctrl-C cancels',
    async () => {
      const d = await deck();
      const terminal = fakeTerminal();
      terminal.type(`${SECRET}\r`);
      const { code, out, err } = await d.run(
        ['config', 'set', 'notifier', 'endpoint=https://hooks.example/b', 'token'],
        {
          stdin: terminal,
        },
      );
      expect(code).toBe(0);
      expect(err).toBe('notifier.token (secret), input hidden: \n');
      expect(terminal.rawModes).toEqual([true, false]);
      expect(out).toContain(
        'notifier: version 1 — stored; running servicedeck processes apply it (live, or when the service starts).',
      );
      expect(await liveConfig(d, 'notifier')).toMatchObject({ token: SECRET });

      const cancelled = fakeTerminal();
      cancelled.type('half-typed\u0003');
      const cancel = await d.run(['config', 'set', 'notifier', 'token'], { stdin: cancelled });
      expect(cancel.code).toBe(1);
      expect(cancel.err).toBe(
        'notifier.token (secret), input hidden: \nerror: Cancelled; nothing was changed.\n',
      );
      expect(cancelled.rawModes).toEqual([true, false]);
      expect(
        (JSON.parse((await d.run(['config', 'get', 'notifier', '--json'])).out) as ConfigJson).version,
      ).toBe(1);
      expect(d.printed()).not.toContain(SECRET);
      expect(d.printed()).not.toContain('half-typed');
    },
  );

  it.skipIf(skip)(
    'GIVEN a bare key without --stdin and no terminal, or --stdin with no or two keys THEN it says what to do, exit 2',
    async () => {
      const d = await deck();
      const bare = await d.run(['config', 'set', 'notifier', 'token']);
      expect(bare.code).toBe(2);
      expect(bare.err).toContain(
        'error: No value for "token": give key=value, or pipe the value in with --stdin',
      );
      const two = await d.run(['config', 'set', 'notifier', 'token', 'endpoint', '--stdin'], { stdin: 'x' });
      expect(two.code).toBe(2);
      expect(two.err).toContain('--stdin reads the value of one setting');
      const empty = await d.run(['config', 'set', 'notifier', 'endpoint=https://x', 'token', '--stdin'], {
        stdin: '',
      });
      expect(empty.code).toBe(2);
      expect(empty.err).toContain('No value for "token" (the input was empty); nothing was stored.');
    },
  );

  it.skipIf(skip)(
    "GIVEN invalid values THEN core's SD_ERR_CONFIG_INVALID line is printed, exit 2, and nothing is stored",
    async () => {
      const d = await deck();
      await d.run(['config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'token', '--stdin'], {
        stdin: SECRET,
      });
      const { code, out, err } = await d.run(['config', 'set', 'notifier', 'retries=50', 'channel=5']);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err).toBe(
        'error SD_ERR_CONFIG_INVALID: Invalid configuration for "notifier": /retries: must be <= 10; /channel: must be string. Fix the settings listed and try again; nothing was stored.\n',
      );
      const notNumber = await d.run(['config', 'set', 'notifier', 'retries=many']);
      expect(notNumber.code).toBe(2);
      expect(notNumber.err).toContain('/retries: must be integer');
      const required = await d.run(['config', 'unset', 'notifier', 'endpoint']);
      expect(required.code).toBe(2);
      expect(required.err).toContain(
        'error SD_ERR_CONFIG_INVALID: Invalid configuration for "notifier": /endpoint: endpoint is required.',
      );
      expect(
        (JSON.parse((await d.run(['config', 'get', 'notifier', '--json'])).out) as ConfigJson).version,
      ).toBe(1);
    },
  );

  it.skipIf(skip)(
    'GIVEN changes THEN set parses JSON values, unset removes, history lists them, rollback restores, --expect-version conflicts',
    async () => {
      const d = await deck();
      await d.run(['config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'token', '--stdin'], {
        stdin: SECRET,
      });

      const set = await d.run(['config', 'set', 'notifier', 'retries=5', 'channel="7"']);
      expect(set).toMatchObject({
        code: 0,
        out: 'notifier: version 2 — stored; running servicedeck processes apply it (live, or when the service starts).\n  channel: (unset) → "7"\n  retries: (unset) → 5\n',
      });
      expect(await liveConfig(d, 'notifier')).toMatchObject({ retries: 5, channel: '7' });

      const same = await d.run(['config', 'set', 'notifier', 'retries=5']);
      expect(same.out).toBe('No change: the settings of notifier already are these (still version 2).\n');

      const unset = await d.run(['config', 'unset', 'notifier', 'channel', 'retries']);
      expect(unset.out).toBe(
        'notifier: version 3 — stored; running servicedeck processes apply it (live, or when the service starts).\n  channel: "7" → (unset)\n  retries: 5 → (unset)\n',
      );
      const unknown = await d.run(['config', 'unset', 'notifier', 'colour']);
      expect(unknown.code).toBe(2);
      expect(unknown.err).toBe(
        'error: "notifier" has no setting "colour" (its settings: endpoint, token, retries, channel); nothing was changed.\n',
      );

      const history = await d.run(['config', 'history', 'notifier']);
      const me = `${userInfo().username} via cli`;
      expect(parseTable(history.out, 'VERSION').map((row) => [row.VERSION, row.BY, row.CHANGES])).toEqual([
        ['3', me, 'channel: "7" → (unset); retries: 5 → (unset)'],
        ['2', me, 'channel: (unset) → "7"; retries: (unset) → 5'],
        ['1', me, 'endpoint: (unset) → https://hooks.example/a; token: (unset) → ••••••'],
      ]);
      expect(parseTable(history.out, 'VERSION')[0]?.WHEN).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const rollback = await d.run(['config', 'rollback', 'notifier', '2']);
      expect(rollback.out).toBe(
        'notifier: version 4, the settings of version 2 — stored; running servicedeck processes apply it (live, or when the service starts).\n  channel: (unset) → "7"\n  retries: (unset) → 5\n',
      );
      const missing = await d.run(['config', 'rollback', 'notifier', '9']);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain(
        'error SD_ERR_CONFIG_VERSION_NOT_FOUND: "notifier" has no configuration version 9. List the versions with servicedeck config history <id>.\n',
      );

      const conflict = await d.run(['config', 'set', 'notifier', 'retries=1', '--expect-version', '3']);
      expect(conflict.code).toBe(1);
      expect(conflict.err).toMatch(
        /^error SD_ERR_CONFIG_CONFLICT: The configuration of "notifier" changed since version 3, which this edit was based on: it is now version 4 by .+ via cli at /,
      );
      const based = await d.run(['config', 'set', 'notifier', 'retries=1', '--expect-version', '4']);
      expect(based.code).toBe(0);
      expect(based.out.split('\n')[0]).toBe(
        'notifier: version 5 — stored; running servicedeck processes apply it (live, or when the service starts).',
      );

      const badVersion = await d.run(['config', 'rollback', 'notifier', 'two']);
      expect(badVersion.code).toBe(2);
      expect(badVersion.err).toContain(
        "error: command-argument value 'two' is invalid for argument 'version'. Expected a whole number of at least 1.",
      );
    },
  );

  it.skipIf(skip)(
    'GIVEN an environment override THEN SOURCE names the variable and the stored value it overrides',
    async () => {
      const d = await deck();
      await d.run(
        ['config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'channel=ops', 'token', '--stdin'],
        {
          stdin: SECRET,
        },
      );
      const view = JSON.parse((await d.run(['config', 'get', 'notifier', '--json'])).out) as ConfigJson;
      const variable = view.fields.find((field) => field.key === 'channel')?.envVar as string;
      expect(variable).toMatch(/^SERVICEDECK_/);
      const { out } = await d.run(['config', 'get', 'notifier'], { env: { [variable]: 'alerts' } });
      expect(parseTable(out, 'KEY').find((row) => row.KEY === 'channel')).toEqual({
        KEY: 'channel',
        VALUE: 'alerts',
        SOURCE: `env ${variable} (overrides stored ops)`,
      });
    },
  );

  it.skipIf(skip)('GIVEN --json THEN config get and config history print the documented shapes', async () => {
    const d = await deck();
    await d.run(['config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'token', '--stdin'], {
      stdin: SECRET,
    });
    await d.run(['config', 'set', 'notifier', 'retries=4']);

    const view = JSON.parse((await d.run(['config', 'get', 'notifier', '--json'])).out) as ConfigJson;
    expect(Object.keys(view)).toEqual([
      'serviceId',
      'version',
      'liveConfig',
      'pendingRestart',
      'fields',
      'problems',
    ]);
    expect(view).toMatchObject({
      serviceId: 'notifier',
      version: 2,
      liveConfig: true,
      pendingRestart: false,
      problems: [],
    });
    for (const field of view.fields)
      expect(Object.keys(field)).toEqual(['key', 'value', 'source', 'secret', 'envVar', 'overridden']);
    expect(view.fields.map(({ envVar: _, ...field }) => field)).toEqual([
      {
        key: 'endpoint',
        value: 'https://hooks.example/a',
        source: 'stored',
        secret: false,
        overridden: null,
      },
      { key: 'token', value: '••••••', source: 'stored', secret: true, overridden: null },
      { key: 'retries', value: 4, source: 'stored', secret: false, overridden: null },
      { key: 'channel', value: 'general', source: 'default', secret: false, overridden: null },
    ]);

    const history = JSON.parse(
      (await d.run(['config', 'history', 'notifier', '--json'])).out,
    ) as ConfigVersionJson[];
    for (const entry of history)
      expect(Object.keys(entry)).toEqual(['version', 'actor', 'adapter', 'createdAt', 'values', 'changes']);
    expect(history).toEqual([
      {
        version: 2,
        actor: userInfo().username,
        adapter: 'cli',
        createdAt: expect.stringMatching(ISO),
        values: { endpoint: 'https://hooks.example/a', token: '••••••', retries: 4 },
        changes: [{ key: 'retries', from: null, to: 4 }],
      },
      {
        version: 1,
        actor: userInfo().username,
        adapter: 'cli',
        createdAt: expect.stringMatching(ISO),
        values: { endpoint: 'https://hooks.example/a', token: '••••••' },
        changes: [
          { key: 'endpoint', from: null, to: 'https://hooks.example/a' },
          { key: 'token', from: null, to: '••••••' },
        ],
      },
    ]);
    const limited = JSON.parse(
      (await d.run(['config', 'history', 'notifier', '--json', '--limit', '1'])).out,
    );
    expect(limited).toHaveLength(1);

    const audit = JSON.parse((await d.run(['audit', 'notifier', '--json'])).out) as AuditRow[];
    expect(audit.map((entry) => [entry.action, entry.details.fromVersion, entry.details.toVersion])).toEqual([
      ['config.update', 1, 2],
      ['config.update', 0, 1],
    ]);
  });
});
