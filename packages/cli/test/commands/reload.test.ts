import { userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInterface, ServiceRegistryManager } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/databases.js';
import {
  createReloadableHost,
  type ReloadableHost,
  type ServiceModuleSpec,
  serviceModule,
} from '../../../core/test/support/reloadable.js';
import { createContext } from '../../src/context.js';
import { run } from '../../src/main.js';
import type { ReloadJson } from '../../src/output/reload.js';
import { createManager } from '../../src/runtime.js';
import { captureIo } from '../support/io.js';
import { parseTable } from '../support/table.js';

interface Greeter extends ServiceInterface {
  greet(): string;
}

/** What one command printed, and its exit code. */
interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

describe('servicedeck reload on sqlite', () => {
  let testDb: TestDatabase | undefined;
  const bots: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const bot of bots.splice(0)) if (bot.state === 'running') await bot.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  /** A bot's project whose `services/*.service.mjs` files are found by a service glob, on a fresh SQLite file. */
  async function project(specs: readonly ServiceModuleSpec[]): Promise<{
    host: ReloadableHost;
    url: string;
    cli: (args: readonly string[]) => Promise<Ran>;
  }> {
    testDb = await createTestDatabase('sqlite');
    const host = await createReloadableHost(path.join(testDb.dir, 'bot'), specs);
    const url = testDb.url;
    return {
      host,
      url,
      cli: async (args) => {
        const io = captureIo(host.root, { NO_COLOR: '1' });
        const code = await run(
          ['node', 'servicedeck', '-d', url, '--log-format', 'json', '--services', host.glob, ...args],
          io,
        );
        return { code, out: io.out(), err: io.err() };
      },
    };
  }

  /**
   * Plays the running bot: a manager that runs services on the same database and discovery settings, in
   * this process, following other processes' changes every 50 ms (or not at all, with `sync: false`).
   */
  async function startBot(host: ReloadableHost, url: string, sync = true): Promise<ServiceRegistryManager> {
    const context = await createContext(
      { database: url, services: [host.glob] },
      captureIo(host.root, { NO_COLOR: '1' }),
      { logLevel: 'error' },
    );
    const bot = createManager(context, {
      health: { schedule: false },
      sync: sync ? { pollIntervalMs: 50 } : { enabled: false },
    });
    bots.push(bot);
    await bot.start();
    return bot;
  }

  it('GIVEN no running servicedeck process WHEN the new code is valid THEN it is checked and recorded, to be loaded at the next start, exit 0', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    // A bot that ran and stopped is gone: nothing to wait for.
    await (await startBot(host, url)).shutdown();
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const { code, out, err } = await cli(['reload', 'greeter']);

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      // The version this process discovered (in a fresh process, the new one) and the new one.
      /^Checked "greeter" (1\.0\.0 → )?1\.1\.0: the new code loads and fits its metadata, settings and dependencies; reload recorded \(revision \d+\)\.\n/,
    );
    expect(out).toMatch(
      /\nNo servicedeck process is running: the new code was checked and will be loaded at the next start\.\n$/,
    );
    const audit = JSON.parse((await cli(['audit', 'greeter', '--action', 'reload', '--json'])).out) as {
      actor: string;
      adapter: string;
      result: string;
    }[];
    expect(audit).toEqual([
      expect.objectContaining({ actor: userInfo().username, adapter: 'cli', result: 'ok' }),
    ]);
  });

  it('GIVEN a syntax error in the service file THEN the reload fails at stage load with the reason, nothing recorded, exit 1', async () => {
    const { host, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    // The catalog knows the service (as after any run of the bot).
    expect((await cli(['status', 'greeter'])).code).toBe(0);
    await host.write({ id: 'greeter', version: '2.0.0', append: 'export const = ;' });

    const { code, out } = await cli(['reload', 'greeter']);

    expect(code).toBe(1);
    const [first, second] = out.split('\n');
    expect(first).toMatch(
      /^Reload failed \(stage load\): Reload of "greeter" failed while loading its code: /,
    );
    expect(first).toContain(host.file('greeter'));
    // Node names a SyntaxError; under vitest, Vite's parser reports the parse failure.
    expect(first).toMatch(/SyntaxError|Parse fail/);
    expect(first).toMatch(/; nothing was changed\.$/);
    expect(second).toBe(
      'Nothing was recorded: the running servicedeck processes keep their current code. Fix it and run servicedeck reload greeter again.',
    );
    const audit = JSON.parse((await cli(['audit', 'greeter', '--action', 'reload', '--json'])).out) as {
      result: string;
      details: { revision: number | null; stage: string };
    }[];
    expect(audit).toEqual([
      expect.objectContaining({
        result: 'failed',
        details: expect.objectContaining({ revision: null, stage: 'load' }),
      }),
    ]);
    const table = await cli(['audit', 'greeter', '--action', 'reload']);
    expect(parseTable(table.out, 'WHEN')[0]?.DETAILS).toMatch(
      /^version 1\.0\.0, failed at load, in \S+ ms, reason: Reload of "greeter" failed while loading its code: /,
    );
  });

  it('GIVEN metadata that is no longer valid THEN the reload fails at stage validate, exit 1', async () => {
    const { host, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    expect((await cli(['status', 'greeter'])).code).toBe(0);
    await host.write({
      id: 'greeter',
      append: "SERVICE_METADATA.type = 'spaceship';",
    });

    const { code, out } = await cli(['reload', 'greeter', '--json']);

    expect(code).toBe(1);
    const json = JSON.parse(out) as ReloadJson;
    expect(json).toMatchObject({
      serviceId: 'greeter',
      result: 'failed',
      revision: null,
      stage: 'validate',
      wait: null,
      processes: [],
      error: { code: 'SD_ERR_RELOAD_FAILED' },
    });
    expect(json.error?.reason).toMatch(/^Reload of "greeter" failed while checking its new code: .*type/);
    expect(json.error?.message.startsWith(json.error.reason)).toBe(true);
  });

  it('GIVEN an unknown id THEN the not-found error is printed with the known services, exit 1', async () => {
    const { cli } = await project([{ id: 'greeter' }]);
    const { code, out, err } = await cli(['reload', 'nope']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(
      /^error SD_ERR_SERVICE_NOT_FOUND: No service "nope" in the catalog\. Known services: .*greeter.*\n$/,
    );
  });

  it('GIVEN a built-in service THEN the reload is refused with what to do in CLI terms, exit 1', async () => {
    const { cli } = await project([{ id: 'greeter' }]);
    const { code, out, err } = await cli(['reload', 'process']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toMatch(/^error SD_ERR_RELOAD_UNSUPPORTED: Service "process" cannot be reloaded: /);
    expect(err).toContain(
      'Restart servicedeck up (or the bot) to load its new code; only services from a plugin package or a --services file can be reloaded.\n',
    );
  });

  it('GIVEN --json and no running process THEN the result, its error and the wait are one JSON document', async () => {
    const { host, cli } = await project([{ id: 'greeter' }]);
    await host.write({ id: 'greeter', version: '1.2.0' });

    const { code, out } = await cli(['reload', 'greeter', '--json']);

    expect(code).toBe(0);
    const json = JSON.parse(out) as ReloadJson;
    expect(Object.keys(json)).toEqual([
      'serviceId',
      'result',
      'applied',
      'revision',
      'previousVersion',
      'version',
      'stage',
      'error',
      'rolledBack',
      'running',
      'status',
      'message',
      'dependents',
      'durationMs',
      'wait',
      'timeoutSeconds',
      'processes',
    ]);
    expect(json).toMatchObject({
      serviceId: 'greeter',
      result: 'ok',
      applied: 'recorded',
      version: '1.2.0',
      stage: null,
      error: null,
      rolledBack: false,
      running: false,
      dependents: [],
      wait: 'no-process',
      timeoutSeconds: 30,
      processes: [],
    });
    expect(json.revision).toBeGreaterThan(0);
  });

  it('GIVEN the bot running WHEN the file changes and reload runs THEN the command waits, the bot runs the new code, and its outcome is printed, exit 0', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    const bot = await startBot(host, url);
    expect(bot.getService<Greeter>('greeter').greet()).toBe('hello');
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const { code, out, err } = await cli(['reload', 'greeter']);

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(bot.getService<Greeter>('greeter').greet()).toBe('bonjour');
    const lines = out.split('\n');
    expect(lines[0]).toMatch(
      /^Checked "greeter" (1\.0\.0 → )?1\.1\.0: .*reload recorded \(revision \d+\)\.$/,
    );
    expect(lines[1]).toBe('Waiting for 1 running servicedeck process to apply it (up to 30 s)…');
    expect(parseTable(out, 'PROCESS')).toEqual([
      {
        PROCESS: bot.instanceId,
        RESULT: 'ok',
        VERSION: '1.0.0 → 1.1.0',
        TIME: expect.stringMatching(/ms$/),
        MESSAGE: '',
      },
    ]);
    expect(out).toMatch(/\n\nDone: "greeter" reloaded in 1 process\.\n$/);
    // The audit log has both: the CLI's check and the bot's outcome.
    const audit = await cli(['audit', 'greeter', '--action', 'reload']);
    expect(parseTable(audit.out, 'WHEN').map((row) => [row.BY, row.RESULT, row.DETAILS])).toEqual([
      ['servicedeck via sync', 'ok', expect.stringMatching(/^1\.0\.0 → 1\.1\.0, revision \d+, in \S+ ms$/)],
      [
        `${userInfo().username} via cli`,
        'ok',
        expect.stringMatching(
          /^(1\.0\.0 → 1\.1\.0|version 1\.1\.0), recorded for the running processes to apply, revision \d+, in \S+ ms$/,
        ),
      ],
    ]);
  });

  it("GIVEN the bot running WHEN the new code's enable() throws there THEN the failure is printed, the bot keeps the old code, exit 1", async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    const bot = await startBot(host, url);
    // It loads and its metadata is fine, so the CLI records it; only starting it (in the bot) fails.
    await host.write({ id: 'greeter', version: '2.0.0', greeting: 'broken', enableThrows: 'boom' });

    const { code, out } = await cli(['reload', 'greeter']);

    expect(code).toBe(1);
    expect(bot.getService<Greeter>('greeter').greet()).toBe('hello');
    const [row] = parseTable(out, 'PROCESS');
    expect(row).toMatchObject({ PROCESS: bot.instanceId, RESULT: 'failed', VERSION: '1.0.0' });
    expect(row?.MESSAGE).toMatch(
      /^stage start: Reload of "greeter" failed while starting the new version: .*boom/,
    );
    const audit = await cli(['audit', 'greeter', '--action', 'reload']);
    expect(parseTable(audit.out, 'WHEN')[0]?.DETAILS).toMatch(
      /^version 1\.0\.0, failed at start, previous version started again, revision \d+, in \S+ ms, reason: Reload of "greeter" failed while starting/,
    );
    expect(out).toMatch(
      /\n\n1 of 1 process failed to reload "greeter": what each runs now is in MESSAGE\. Fix the code and run servicedeck reload greeter again\.\n$/,
    );
  });

  it('GIVEN --json and the bot running THEN each process outcome is in the document', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    const bot = await startBot(host, url);
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const { code, out } = await cli(['reload', 'greeter', '--json']);

    expect(code).toBe(0);
    const json = JSON.parse(out) as ReloadJson;
    expect(json).toMatchObject({ result: 'ok', applied: 'recorded', wait: 'answered' });
    expect(json.processes).toEqual([
      {
        instanceId: bot.instanceId,
        hostname: expect.any(String),
        pid: process.pid,
        result: 'ok',
        revision: json.revision,
        previousVersion: '1.0.0',
        version: '1.1.0',
        stage: null,
        reason: null,
        rolledBack: false,
        durationMs: expect.any(Number),
        at: expect.stringMatching(/Z$/),
      },
    ]);
  });

  it('GIVEN a running process that does not apply it in time THEN the command says which did not answer and that the reload stays recorded, exit 1', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    // Registered and heartbeating, but following no change.
    const deaf = await startBot(host, url, false);
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const started = Date.now();
    const { code, out } = await cli(['reload', 'greeter', '--timeout', '1']);

    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(parseTable(out, 'PROCESS')).toEqual([
      {
        PROCESS: deaf.instanceId,
        RESULT: 'no answer',
        VERSION: '-',
        TIME: '-',
        MESSAGE: 'no answer within 1 s',
      },
    ]);
    expect(out).toContain(
      `1 of 1 process did not answer within 1 s (${deaf.instanceId}). The reload is still recorded: it applies it when it catches up with the change log (servicedeck audit greeter --action reload shows the outcomes).`,
    );
    expect(deaf.getService<Greeter>('greeter').greet()).toBe('hello');
  });

  it('GIVEN a running process that stops while the command waits THEN it is no longer waited for and is not a failure, exit 0', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    const leaving = await startBot(host, url, false);
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const started = Date.now();
    const ran = cli(['reload', 'greeter', '--timeout', '20']);
    await sleep(300);
    await leaving.shutdown();
    const { code, out } = await ran;

    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(parseTable(out, 'PROCESS')).toEqual([
      {
        PROCESS: leaving.instanceId,
        RESULT: 'stopped',
        VERSION: '-',
        TIME: '-',
        MESSAGE: 'stopped before applying it; it loads the new code when it starts again',
      },
    ]);
    expect(out).toMatch(
      /\n\nNothing to wait for: 1 stopped before applying it and loads the new code at start\.\n$/,
    );
  });

  it('GIVEN --no-wait THEN the reload is recorded and the command returns at once, exit 0', async () => {
    const { host, url, cli } = await project([{ id: 'greeter', greeting: 'hello' }]);
    const bot = await startBot(host, url);
    await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

    const { code, out } = await cli(['reload', 'greeter', '--no-wait']);

    expect(code).toBe(0);
    expect(out).toMatch(
      /\nNot waiting: 1 running servicedeck process applies it within moments \(servicedeck audit greeter --action reload shows each outcome\)\.\n$/,
    );
    // The bot applies it by itself all the same.
    await expect.poll(() => bot.getService<Greeter>('greeter').greet(), { timeout: 10_000 }).toBe('bonjour');
  });

  it('GIVEN a file rewritten with the module text of another id THEN core reports it no longer exports the service', async () => {
    const { host, cli } = await project([{ id: 'greeter' }]);
    expect((await cli(['status', 'greeter'])).code).toBe(0);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(host.file('greeter'), serviceModule({ id: 'other' }));
    const { code, out } = await cli(['reload', 'greeter']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Reload failed \(stage (load|validate)\): /);
  });
});
