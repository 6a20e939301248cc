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
      `error SD_ERR_CONFIG_FILE_INVALID: Configuration file ${path.join(dir, 'servicedeck.config.json')} is invalid: "database" must be a non-empty string. Fix it (settings: database, root, plugins, services, logLevel); see docs/configuration.md.\n`,
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
