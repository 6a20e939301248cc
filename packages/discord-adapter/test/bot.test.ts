import { createLogger, type LogRecord } from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeck } from '../../../tests/support/deck.js';
import { type DiscordBot, startDiscordBot } from '../src/index.js';
import {
  CHANNEL_ID,
  commandPayload,
  FakeDiscordApi,
  feed,
  GUILD_ID,
  refusedTokenError,
} from './support/discord.js';

const running: { bot: DiscordBot; api: FakeDiscordApi }[] = [];

afterEach(async () => {
  for (const { bot, api } of running.splice(0)) {
    await bot.stop();
    expect(api.problems).toEqual([]);
    await api.close();
  }
});

function recorder(): { logger: ReturnType<typeof createLogger>; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: createLogger({ sink: (record) => records.push(record), level: 'debug' }), records };
}

const lines = (records: LogRecord[], level: LogRecord['level']) =>
  records.filter((r) => r.level === level).map((r) => ({ message: r.message, ...r.fields }));

describe('startDiscordBot', () => {
  it('GIVEN a token THEN the bot logs in with it, registers /services, keeps its status message and answers', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const { logger, records } = recorder();
    const bot = startDiscordBot(deck.manager, {
      token: 'bot-token',
      createClient: () => api.loggingInClient(),
      commands: { guildId: GUILD_ID },
      liveStatus: { channelId: CHANNEL_ID },
      logger,
    });
    running.push({ bot, api });

    await expect(bot.connected).resolves.toBe(true);
    await bot.adapter.idle();
    expect(api.logins).toEqual(['bot-token']);
    expect(lines(records, 'info')).toContainEqual(
      expect.objectContaining({ message: 'connected to Discord', user: 'servicedeck' }),
    );
    expect(api.commands.get(GUILD_ID)?.map((c) => c.name)).toEqual(['services']);
    expect(api.to(/\/channels\/\d+\/messages$/, 'POST')).toHaveLength(1);

    const before = api.callbacks().length;
    feed(bot.client, commandPayload('list'));
    await bot.adapter.idle();
    const [answer] = api.callbacks().slice(before);
    expect(JSON.stringify(answer)).toContain('reminders');

    const client = bot.client;
    await bot.stop();
    expect(client.token).toBeNull();
  });

  it('GIVEN Discord unreachable at first THEN each new attempt uses a fresh client until one connects', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const { logger, records } = recorder();
    const outcomes = [
      { failure: new Error('getaddrinfo EAI_AGAIN discord.com') },
      { failure: new Error('connect ECONNREFUSED') },
      {},
    ];
    const clients: unknown[] = [];
    const bot = startDiscordBot(deck.manager, {
      token: 'bot-token',
      createClient: () => {
        const client = api.loggingInClient(outcomes[clients.length]);
        clients.push(client);
        return client;
      },
      commands: { register: false },
      retryDelaysMs: [10, 20],
      logger,
    });
    running.push({ bot, api });

    await expect(bot.connected).resolves.toBe(true);
    expect(clients).toHaveLength(3);
    expect(new Set(clients).size).toBe(3);
    expect(bot.client).toBe(clients[2]);
    expect(lines(records, 'warn')).toEqual([
      expect.objectContaining({
        message: 'could not connect to Discord; trying again',
        error: 'getaddrinfo EAI_AGAIN discord.com',
        attempt: 1,
        retryInMs: 10,
      }),
      expect.objectContaining({ error: 'connect ECONNREFUSED', attempt: 2, retryInMs: 20 }),
    ]);

    // Only the client that connected answers.
    const before = api.callbacks().length;
    feed(bot.client, commandPayload('status', { service: 'database' }));
    await bot.adapter.idle();
    expect(api.callbacks().length).toBe(before + 1);
  });

  it('GIVEN a token Discord refuses THEN it says so with what to do, tries no more, and servicedeck runs on', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const { logger, records } = recorder();
    let made = 0;
    const bot = startDiscordBot(deck.manager, {
      token: 'revoked',
      createClient: () => {
        made += 1;
        return api.loggingInClient({ failure: refusedTokenError() });
      },
      retryDelaysMs: [1],
      logger,
    });
    running.push({ bot, api });

    await expect(bot.connected).resolves.toBe(false);
    expect(made).toBe(1);
    expect(lines(records, 'error')).toEqual([
      expect.objectContaining({
        message: 'Discord refused the bot token; servicedeck runs on without Discord',
        hint: expect.stringContaining('SERVICEDECK_DISCORD_TOKEN'),
      }),
    ]);
    expect(JSON.stringify(records)).not.toContain('revoked');
    await expect(deck.manager.checkHealth('database')).resolves.toMatchObject({ status: 'active' });
  });

  it('GIVEN a login that never finishes THEN stopping does not wait for it', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const bot = startDiscordBot(deck.manager, {
      token: 'bot-token',
      createClient: () => api.loggingInClient({ hang: true }),
      logger: recorder().logger,
    });
    await bot.stop();
    await expect(bot.connected).resolves.toBe(false);
    await api.close();
  });
});
