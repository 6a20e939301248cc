import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, shouldSkip, type TestDatabase } from '../../../../tests/support/databases.js';
import { createHost, type FixtureHost } from '../../../core/test/support/host.js';
import {
  CHANNEL_ID,
  commandPayload,
  FakeDiscordApi,
  feed,
  GUILD_ID,
  OWNER_ID,
  refusedTokenError,
} from '../../../discord-adapter/test/support/discord.js';
import { type UpOptions, up } from '../../src/commands/up.js';
import { createContext } from '../../src/context.js';
import { type CapturedIo, captureIo } from '../support/io.js';

const TOKEN = 'MTAw.secret-bot-token';

interface LogLine {
  level: string;
  msg: string;
  adapter?: string;
  [key: string]: unknown;
}

const logLines = (io: CapturedIo): LogLine[] =>
  io
    .err()
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

describe('servicedeck up with a Discord bot token', async () => {
  const skip = await shouldSkip('sqlite');
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  let api: FakeDiscordApi | undefined;
  afterEach(async () => {
    expect(api?.problems ?? []).toEqual([]);
    await api?.close();
    api = undefined;
    await host?.cleanup();
    await testDb?.cleanup();
  });

  async function start(env: NodeJS.ProcessEnv, discord: UpOptions['discord']) {
    host = await createHost(['sd-plugin-valid']);
    testDb = await createTestDatabase('sqlite');
    const io = captureIo(host.root, { NO_COLOR: '1', SERVICEDECK_WEB: 'off', ...env });
    const context = await createContext({ database: testDb.url, logFormat: 'json' }, io);
    let stop: (signal: string) => void = () => undefined;
    const until = new Promise<string>((resolve) => {
      stop = resolve;
    });
    const running = up(context, { until, ...(discord ? { discord } : {}) });
    await expect.poll(() => io.out(), { timeout: 15_000 }).toContain('Press Ctrl-C to stop.');
    return { io, running, stop };
  }

  it.skipIf(skip)(
    'GIVEN SERVICEDECK_DISCORD_TOKEN and channels THEN up logs in, registers /services, keeps the status message, answers, and disconnects on stop',
    async () => {
      const fake = new FakeDiscordApi();
      api = fake;
      const clients: ReturnType<FakeDiscordApi['loggingInClient']>[] = [];
      const { io, running, stop } = await start(
        {
          SERVICEDECK_DISCORD_TOKEN: TOKEN,
          SERVICEDECK_DISCORD_GUILD_ID: GUILD_ID,
          SERVICEDECK_DISCORD_STATUS_CHANNEL_ID: CHANNEL_ID,
          SERVICEDECK_DISCORD_OWNERS: OWNER_ID,
        },
        {
          createClient: () => {
            const client = fake.loggingInClient();
            clients.push(client);
            return client;
          },
        },
      );
      await expect
        .poll(() => logLines(io).map((l) => l.msg), { timeout: 10_000 })
        .toContain('connected to Discord');
      expect(fake.logins).toEqual([TOKEN]);
      await expect.poll(() => fake.commands.get(GUILD_ID)?.map((c) => c.name)).toEqual(['services']);
      await expect.poll(() => fake.to(/\/channels\/\d+\/messages$/, 'POST').length).toBe(1);

      // A command through the bot: the catalog is the one `up` discovered; an owner's change is audited.
      const client = clients[0];
      if (!client) throw new Error('no client was made');
      feed(client, commandPayload('list'));
      await expect.poll(() => JSON.stringify(fake.callbacks())).toContain('alpha');
      feed(client, commandPayload('disable', { service: 'beta' }, { userId: OWNER_ID }));
      await expect.poll(() => fake.callbacks().length).toBe(2);
      expect(JSON.stringify(fake.callbacks()[1])).toContain('beta');

      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(client.token).toBeNull();
      const logs = logLines(io);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'connecting to Discord',
          adapter: 'discord',
          commands: `guild ${GUILD_ID}`,
          liveStatus: CHANNEL_ID,
          alerts: null,
        }),
      );
      expect(io.err()).not.toContain('secret-bot-token');
      expect(io.out()).not.toContain('secret-bot-token');
      expect(io.out()).toMatch(/servicedeck stopped\.\n$/);
    },
  );

  it.skipIf(skip)(
    'GIVEN a token Discord refuses THEN up says what to do and runs on without Discord until stopped',
    async () => {
      const fake = new FakeDiscordApi();
      api = fake;
      const { io, running, stop } = await start(
        { SERVICEDECK_DISCORD_TOKEN: TOKEN },
        { createClient: () => fake.loggingInClient({ failure: refusedTokenError() }) },
      );
      await expect
        .poll(() => logLines(io).find((l) => l.level === 'error'), { timeout: 10_000 })
        .toMatchObject({
          msg: 'Discord refused the bot token; servicedeck runs on without Discord',
          adapter: 'discord',
          hint: expect.stringContaining('SERVICEDECK_DISCORD_TOKEN'),
        });
      expect(fake.commands.size).toBe(0);
      stop('SIGINT');
      expect(await running).toBe(0);
      expect(io.err()).not.toContain('secret-bot-token');
    },
  );

  it.skipIf(skip)(
    'GIVEN Discord channels configured but no token THEN up warns once and runs without Discord',
    async () => {
      let made = 0;
      const { io, running, stop } = await start(
        { SERVICEDECK_DISCORD_ALERTS_CHANNEL_ID: CHANNEL_ID },
        {
          createClient: () => {
            made += 1;
            throw new Error('no client should be made');
          },
        },
      );
      stop('SIGTERM');
      expect(await running).toBe(0);
      expect(made).toBe(0);
      expect(logLines(io).filter((l) => l.adapter === 'discord')).toEqual([
        expect.objectContaining({
          level: 'warn',
          msg: 'Discord settings found but no bot token: running without Discord',
          hint: 'Set SERVICEDECK_DISCORD_TOKEN to the bot token (Developer Portal › Bot) and restart.',
        }),
      ]);
    },
  );
});
