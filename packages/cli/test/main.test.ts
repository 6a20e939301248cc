import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../src/main.js';
import { captureIo } from './support/io.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('servicedeck', () => {
  it('GIVEN --help on up THEN it describes the command with examples and exits 0', async () => {
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', 'up', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: servicedeck up [options]');
    expect(io.out()).toContain('Examples:\n  $ servicedeck up\n');
  });

  it('GIVEN --help on health THEN it describes the exit codes and the JSON shape with examples, exit 0', async () => {
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', 'health', '--help'], io)).toBe(0);
    expect(io.out()).toContain('Usage: servicedeck health [options] [id]');
    expect(io.out()).toContain('Exit codes: 0 no service in error, 3 a service is in error');
    expect(io.out()).toContain(
      '{ serviceId, status, checked, latencyMs, message, cause, checkedAt, details }',
    );
    expect(io.out()).toContain('Examples:\n  $ servicedeck health\n  $ servicedeck health redis\n');
  });

  it.each([
    ['list', 'Usage: servicedeck list [options]', '$ servicedeck list --type external --enabled'],
    ['status', 'Usage: servicedeck status [options] <id>', '$ servicedeck status redis --checks 20'],
    [
      'enable',
      'Usage: servicedeck enable [options] <id>',
      '$ servicedeck enable api --with-dependencies --dry-run',
    ],
    ['disable', 'Usage: servicedeck disable [options] <id>', '$ servicedeck disable database --cascade'],
    ['config', 'Usage: servicedeck config [options] [command]', '$ servicedeck config history github'],
    ['config get', 'Usage: servicedeck config get [options] <id>', '$ servicedeck config get github'],
    [
      'config set',
      'Usage: servicedeck config set [options] <id> <settings...>',
      `$ printf '%s' "$GITHUB_TOKEN" | servicedeck config set github token --stdin`,
    ],
    [
      'config unset',
      'Usage: servicedeck config unset [options] <id> <keys...>',
      '$ servicedeck config unset github owner',
    ],
    [
      'config history',
      'Usage: servicedeck config history [options] <id>',
      '$ servicedeck config history github',
    ],
    [
      'config rollback',
      'Usage: servicedeck config rollback [options] <id> <version>',
      '$ servicedeck config rollback github 3',
    ],
    ['keys', 'Usage: servicedeck keys [options] [command]', '$ servicedeck keys rotate'],
    [
      'keys rotate',
      'Usage: servicedeck keys rotate [options]',
      `$ printf '%s' "$NEW_KEY" | servicedeck keys rotate --new-key-stdin`,
    ],
    ['audit', 'Usage: servicedeck audit [options] [id]', '$ servicedeck audit --action config.update --json'],
    ['web login', 'Usage: servicedeck web login [options]', '$ servicedeck web login'],
    [
      'tokens create',
      'Usage: servicedeck tokens create [options] <name>',
      '$ TOKEN=$(servicedeck tokens create grafana --scope read)',
    ],
    ['tokens revoke', 'Usage: servicedeck tokens revoke [options] <id>', '$ servicedeck tokens revoke 3'],
  ])('GIVEN --help on %s THEN it shows its usage and examples, exit 0', async (command, usage, example) => {
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', ...command.split(' '), '--help'], io)).toBe(0);
    expect(io.out()).toContain(usage);
    expect(io.out()).toContain(`\nExamples:\n  $ servicedeck ${command}`);
    expect(io.out()).toContain(`  ${example}\n`);
  });

  it('GIVEN --help on the read commands THEN each documents its JSON shape', async () => {
    for (const [command, shape] of [
      ['list', '--json prints [{ id, name, description, type, version, tags, dependencies, enabled, missing'],
      ['status', 'checks: [{ status, latencyMs, message, cause, checkedAt, instanceId }] }'],
      ['config get', '--json prints { serviceId, version, liveConfig, pendingRestart, fields: [{ key, value'],
      [
        'config history',
        '--json prints [{ version, actor, adapter, createdAt, values, changes: [{ key, from, to }] }]',
      ],
      ['audit', '--json prints [{ id, at, actor, adapter, action, serviceId, result, details, instanceId }]'],
    ] as const) {
      const io = captureIo(dir);
      expect(await run(['node', 'servicedeck', ...command.split(' '), '--help'], io)).toBe(0);
      expect(io.out().replace(/\n/g, ' ')).toContain(shape);
    }
  });

  it('GIVEN --help THEN every command is listed', async () => {
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', '--help'], io)).toBe(0);
    for (const command of [
      'up',
      'health',
      'list',
      'status',
      'enable',
      'disable',
      'config',
      'keys',
      'audit',
      'web',
      'tokens',
    ])
      expect(io.out()).toMatch(new RegExp(`\\n  ${command} `));
  });

  it('GIVEN an unknown command THEN it exits 2 with a usage hint', async () => {
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', 'launch'], io)).toBe(2);
    expect(io.err()).toContain("error: unknown command 'launch'");
    expect(io.err()).toContain('(run with --help for usage)');
  });

  it('GIVEN an invalid configuration file THEN it prints one line with the code and fix, exit 2, no stack', async () => {
    await writeFile(path.join(dir, 'servicedeck.config.json'), '{"database": 5}');
    const io = captureIo(dir);
    expect(await run(['node', 'servicedeck', 'up'], io)).toBe(2);
    expect(io.err()).toBe(
      `error SD_ERR_CONFIG_FILE_INVALID: Configuration file ${path.join(dir, 'servicedeck.config.json')} is invalid: "database" must be a non-empty string. Fix it (settings: database, root, plugins, services, logLevel, discord, web); see docs/configuration.md.\n`,
    );
  });

  it('GIVEN an unreachable database and --verbose THEN the stack follows the one-line error, exit 1', async () => {
    const io = captureIo(dir);
    const code = await run(
      [
        'node',
        'servicedeck',
        '--verbose',
        '--log-format',
        'json',
        '-d',
        'postgres://bot:pw@127.0.0.1:1/bot',
        'up',
      ],
      io,
    );
    expect(code).toBe(1);
    const lines = io.err().split('\n');
    const first = lines.findIndex((line) =>
      line.startsWith(
        'error SD_ERR_DATABASE_UNAVAILABLE: Cannot open the database (PostgreSQL 127.0.0.1:1/bot)',
      ),
    );
    expect(first).toBeGreaterThanOrEqual(0);
    expect(lines[first + 1]).toMatch(/^ServiceDeckError: /);
    expect(io.err()).not.toContain(':pw@');
  });
});
