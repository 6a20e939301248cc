import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, shouldSkip, type TestDatabase } from '../../../../tests/support/databases.js';
import { createHost, type FixtureHost } from '../../../core/test/support/host.js';
import { up } from '../../src/commands/up.js';
import { createContext } from '../../src/context.js';
import { run } from '../../src/main.js';
import { captureIo } from '../support/io.js';

describe('servicedeck up serving the dashboard', async () => {
  const skip = await shouldSkip('sqlite');
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await host?.cleanup();
    await testDb?.cleanup();
  });

  async function start(env: NodeJS.ProcessEnv) {
    host = await createHost(['sd-plugin-valid']);
    testDb = await createTestDatabase('sqlite');
    const io = captureIo(host.root, { NO_COLOR: '1', SERVICEDECK_DATABASE_URL: testDb.url, ...env });
    const context = await createContext({ logFormat: 'json' }, io);
    let stop: (signal: string) => void = () => undefined;
    const until = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const running = up(context, { until });
    await expect.poll(() => io.out(), { timeout: 15_000 }).toContain('Press Ctrl-C to stop.');
    return { io, running, stop, env: { NO_COLOR: '1', SERVICEDECK_DATABASE_URL: testDb.url, ...env } };
  }

  it.skipIf(skip)(
    'GIVEN up THEN it prints a one-time login link that opens a session, web login makes another, and API tokens from the CLI work',
    async () => {
      const { io, running, stop, env } = await start({ SERVICEDECK_WEB_PORT: '0' });
      await expect.poll(() => io.out()).toContain('Dashboard: ');
      const match =
        /Dashboard: (http:\/\/127\.0\.0\.1:\d+) — log in with (\S+) \(one use, within 15 minutes/.exec(
          io.out(),
        );
      expect(match).not.toBeNull();
      const [, base, link] = match as unknown as [string, string, string];
      expect(link).toMatch(new RegExp(`^${base}/login\\?token=sdl_[A-Za-z0-9_-]{43}$`));

      const login = await fetch(link, { redirect: 'manual' });
      expect(login.status).toBe(303);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const services = await fetch(`${base}/api/services`, { headers: { cookie } });
      expect(services.status).toBe(200);
      expect(((await services.json()) as { id: string }[]).map((s) => s.id)).toEqual(
        expect.arrayContaining(['alpha', 'beta']),
      );
      expect((await fetch(link, { redirect: 'manual' })).status).toBe(401);

      // Another link, from another process on the same database.
      const cli = captureIo(host?.root as string, env);
      expect(await run(['node', 'servicedeck', 'web', 'login', '--json'], cli)).toBe(0);
      const again = JSON.parse(cli.out()) as { url: string; validMinutes: number };
      expect(again.validMinutes).toBe(15);
      const second = await fetch(again.url.replace(/^http:\/\/[^/]+/, base), {
        redirect: 'manual',
      });
      expect(second.status).toBe(303);

      // An API token made by the CLI works against the running dashboard; revoked, it stops working.
      const create = captureIo(host?.root as string, env);
      expect(
        await run(['node', 'servicedeck', 'tokens', 'create', 'grafana', '--scope', 'read'], create),
      ).toBe(0);
      const token = create.out().trim();
      expect(token).toMatch(/^sdk_/);
      expect(create.err()).toContain('It is shown only this once');
      const authorization = { authorization: `Bearer ${token}` };
      expect((await fetch(`${base}/metrics`, { headers: authorization })).status).toBe(200);
      const list = captureIo(host?.root as string, env);
      expect(await run(['node', 'servicedeck', 'tokens', 'list', '--json'], list)).toBe(0);
      const [listed] = JSON.parse(list.out()) as {
        id: number;
        name: string;
        scope: string;
        lastUsedAt: string;
      }[];
      expect(listed).toMatchObject({
        name: 'grafana',
        scope: 'read',
        lastUsedAt: expect.stringMatching(/Z$/),
      });
      expect(list.out()).not.toContain(token);
      const revoke = captureIo(host?.root as string, env);
      expect(await run(['node', 'servicedeck', 'tokens', 'revoke', String(listed?.id)], revoke)).toBe(0);
      expect(revoke.out()).toContain('revoked: requests with it are refused from now on.');
      // The running dashboard trusts a checked token for 2 s at most.
      await expect
        .poll(async () => (await fetch(`${base}/metrics`, { headers: authorization })).status, {
          timeout: 5_000,
        })
        .toBe(401);
      const missing = captureIo(host?.root as string, env);
      expect(await run(['node', 'servicedeck', 'tokens', 'revoke', '999'], missing)).toBe(1);
      expect(missing.err()).toBe(
        'error SD_ERR_API_TOKEN_NOT_FOUND: No API token 999. List the tokens to see their ids.\n',
      );

      stop('SIGTERM');
      expect(await running).toBe(0);
      await expect(fetch(`${base}/api/services`)).rejects.toThrow();
    },
  );

  it.skipIf(skip)(
    'GIVEN the port taken THEN up says how to fix it and runs on without the dashboard',
    async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;
      try {
        const { io, running, stop } = await start({ SERVICEDECK_WEB_PORT: String(port) });
        await expect.poll(() => io.err()).toContain('the dashboard could not start');
        const errors = io
          .err()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { level: string; msg: string; hint?: string; adapter?: string })
          .filter((line) => line.level === 'error');
        expect(errors).toEqual([
          expect.objectContaining({
            msg: 'the dashboard could not start; servicedeck runs on without it',
            adapter: 'web',
            hint: `Port ${port} is in use: set SERVICEDECK_WEB_PORT to a free port (or SERVICEDECK_WEB=off).`,
          }),
        ]);
        expect(io.out()).not.toContain('Dashboard:');
        stop('SIGTERM');
        expect(await running).toBe(0);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
  );

  it.skipIf(skip)('GIVEN SERVICEDECK_WEB=off THEN no dashboard is served', async () => {
    const { io, running, stop } = await start({ SERVICEDECK_WEB: 'off' });
    expect(io.out()).not.toContain('Dashboard:');
    stop('SIGTERM');
    expect(await running).toBe(0);
  });

  it.skipIf(skip)(
    'GIVEN Discord login half set up THEN up names what is missing and serves login links only',
    async () => {
      const { io, running, stop } = await start({
        SERVICEDECK_WEB_PORT: '0',
        SERVICEDECK_WEB_DISCORD_CLIENT_ID: '100000000000000001',
      });
      await expect.poll(() => io.out()).toContain('Dashboard: ');
      const errors = io
        .err()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string; hint?: string })
        .filter((line) => line.level === 'error');
      expect(errors).toEqual([
        expect.objectContaining({
          msg: 'Discord login is not set up completely; the dashboard uses login links only',
          hint: 'Set SERVICEDECK_WEB_DISCORD_CLIENT_SECRET, SERVICEDECK_DISCORD_GUILD_ID, SERVICEDECK_WEB_PUBLIC_URL; see docs/configuration.md#the-web-dashboard.',
        }),
      ]);
      expect(io.out()).toContain('Dashboard: http://127.0.0.1:');
      stop('SIGTERM');
      expect(await running).toBe(0);
    },
  );
});
