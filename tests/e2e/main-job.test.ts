/**
 * The main job as a user runs it: the built `servicedeck` command, started from the repository with its
 * bundled plugins, on SQLite and PostgreSQL, stopped by a signal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DIALECTS, shouldSkip, type TestDatabase } from '../support/databases.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../packages/cli/bin/servicedeck.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** The ids of the services of the bundled plugin packages (the repository's own dependencies). */
const BUNDLED = [
  'http',
  'postgres',
  'redis',
  'sentry',
  'github',
  'influxdb',
  'mailcow',
  'wolfram-alpha',
  'supabase',
];

interface Running {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', SERVICEDECK_WEB_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

describe.each(DIALECTS)('the main job (servicedeck up) on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let running: Running | undefined;
  afterEach(async () => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    await testDb?.cleanup();
  });

  it.skipIf(skip)(
    'GIVEN the repository and no credentials THEN it discovers every bundled plugin, lists each as not configured, and stops on SIGINT',
    async () => {
      expect(existsSync(BUILT), 'the CLI is not built: run `pnpm build` (npm test does it)').toBe(true);
      testDb = await createTestDatabase(dialect);
      running = start(['up'], { SERVICEDECK_DATABASE_URL: testDb.url });
      await expect
        .poll(() => running?.stdout() ?? '', { timeout: 20_000 })
        .toContain('Press Ctrl-C to stop.');
      const out = running.stdout();
      expect(out).toMatch(/^ID\s+NAME\s+TYPE\s+VERSION\s+ENABLED\s+STATUS\s+DETAIL$/m);
      expect(out).toMatch(
        /^http\s+HTTP endpoint\s+wrapper\s+\S+\s+yes\s+○ inactive\s+not configured: url is required$/m,
      );
      expect(out).toMatch(/^process\s+Bot process\s+internal\s+-\s+yes\s+(\? unknown|● active)\s+\S/m);
      // With no credentials at all, every bundled integration is listed as not configured, none in error.
      for (const id of BUNDLED) {
        expect(out).toMatch(new RegExp(`^${id}\\s.*\\s○ inactive\\s+not configured: \\S.*$`, 'm'));
      }
      expect(out).not.toContain('✖ error');
      expect(out).not.toContain('Skipped');
      running.child.kill('SIGINT');
      expect(await running.exited).toBe(0);
      expect(running.stdout()).toMatch(/servicedeck stopped\.\n$/);
      expect(running.stderr()).not.toMatch(/"level":"error"/);

      const db = await openDatabase({ url: testDb.url });
      try {
        const row = await db.repos.registry.findByPk('http');
        expect(row?.get({ plain: true })).toMatchObject({
          serviceType: 'wrapper',
          enabled: true,
          missing: false,
          status: 'inactive',
          statusMessage: 'not configured: url is required',
        });
      } finally {
        await db.close();
      }
    },
  );
});

/** Runs the built `servicedeck` once, as a maintainer would beside the running bot. */
function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', SERVICEDECK_WEB_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe.each(DIALECTS)('the CLI beside a running servicedeck up on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let running: Running | undefined;
  afterEach(async () => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    await testDb?.cleanup();
  });

  it.skipIf(skip)(
    'GIVEN servicedeck up running WHEN another process disables and enables a service THEN up applies each, and list shows what up recorded',
    async () => {
      expect(existsSync(BUILT), 'the CLI is not built: run `pnpm build` (npm test does it)').toBe(true);
      testDb = await createTestDatabase(dialect);
      const env = { SERVICEDECK_DATABASE_URL: testDb.url };
      running = start(['up'], env);
      await expect
        .poll(() => running?.stdout() ?? '', { timeout: 20_000 })
        .toContain('Press Ctrl-C to stop.');
      const processRow = async () => {
        const list = await cli(['list', '--json'], env);
        expect(list.code).toBe(0);
        return (
          JSON.parse(list.out) as { id: string; enabled: boolean; status: string; message: string }[]
        ).find((row) => row.id === 'process');
      };

      const disabled = await cli(['disable', 'process'], env);
      expect(disabled.code).toBe(0);
      expect(disabled.out).toContain('stored as disabled');
      await expect
        .poll(processRow, { timeout: 10_000 })
        .toMatchObject({ enabled: false, status: 'inactive', message: 'disabled' });

      expect((await cli(['enable', 'process'], env)).code).toBe(0);
      // up starts it again and checks it at once.
      await expect.poll(processRow, { timeout: 10_000 }).toMatchObject({ enabled: true, status: 'active' });

      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.stderr()).not.toMatch(/"level":"error"/);
    },
  );
});
