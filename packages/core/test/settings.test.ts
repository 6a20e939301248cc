import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveSettings } from '../src/settings.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveSettings', () => {
  it('GIVEN nothing configured THEN SQLite in the working directory and no extra sources are used', async () => {
    const settings = await resolveSettings({}, {}, dir);
    expect(settings).toMatchObject({
      database: 'sqlite:servicedeck.db',
      root: dir,
      plugins: [],
      services: [],
      logLevel: 'info',
      configFile: null,
      origins: { database: 'default', root: 'default' },
    });
  });

  it('GIVEN a config file, environment and flags THEN flags beat environment, which beats the file', async () => {
    await writeFile(
      path.join(dir, 'servicedeck.config.json'),
      JSON.stringify({
        database: 'data/bot.db',
        plugins: ['a'],
        services: ['dist/services/*.js'],
        logLevel: 'warn',
        root: 'bot',
      }),
    );
    const fromFile = await resolveSettings({}, {}, dir);
    expect(fromFile).toMatchObject({
      database: path.join(dir, 'data/bot.db'),
      root: path.join(dir, 'bot'),
      plugins: ['a'],
      services: ['dist/services/*.js'],
      logLevel: 'warn',
      configFile: path.join(dir, 'servicedeck.config.json'),
    });
    const fromEnv = await resolveSettings(
      {},
      {
        SERVICEDECK_DATABASE_URL: 'postgres://bot@db/bot',
        SERVICEDECK_PLUGINS: 'x, y',
        SERVICEDECK_LOG_LEVEL: 'debug',
      },
      dir,
    );
    expect(fromEnv).toMatchObject({
      database: 'postgres://bot@db/bot',
      plugins: ['x', 'y'],
      logLevel: 'debug',
    });
    expect(fromEnv.origins).toMatchObject({ database: 'env', plugins: 'env', services: 'file' });
    const fromFlags = await resolveSettings(
      { database: 'sqlite:flag.db', plugins: ['z'] },
      { SERVICEDECK_DATABASE_URL: 'postgres://x@y/z' },
      dir,
    );
    expect(fromFlags).toMatchObject({
      database: 'sqlite:flag.db',
      plugins: ['z'],
      origins: { database: 'flag', plugins: 'flag' },
    });
  });

  it('GIVEN a config file with mistakes THEN one error lists each and says where to look', async () => {
    const file = path.join(dir, 'servicedeck.config.json');
    await writeFile(file, JSON.stringify({ databse: 'x', plugins: 'a', logLevel: 'loud' }));
    await expect(resolveSettings({}, {}, dir)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_FILE_INVALID',
      message: `Configuration file ${file} is invalid: "databse" is not a setting; "plugins" must be an array of non-empty strings; "logLevel" must be one of debug, info, warn, error. Fix it (settings: database, root, plugins, services, logLevel, discord, web); see docs/configuration.md.`,
    });
  });

  it('GIVEN a config file that is not JSON or a --config path that does not exist THEN the error says so', async () => {
    await writeFile(path.join(dir, 'servicedeck.config.json'), '{ database: nope');
    await expect(resolveSettings({}, {}, dir)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_FILE_INVALID',
      message: expect.stringMatching(/is invalid: it is not valid JSON/),
    });
    await expect(resolveSettings({ configFile: 'missing.json' }, {}, dir)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_FILE_INVALID',
      message: expect.stringMatching(
        /^Cannot read configuration file .*missing\.json: ENOENT.*Check the path given with --config or SERVICEDECK_CONFIG\.$/,
      ),
    });
  });

  it('GIVEN an invalid log level in the environment THEN it is refused with the valid ones', async () => {
    await expect(resolveSettings({}, { SERVICEDECK_LOG_LEVEL: 'verbose' }, dir)).rejects.toMatchObject({
      message: 'SERVICEDECK_LOG_LEVEL="verbose" is not a log level. Use one of debug, info, warn, error.',
    });
  });

  describe('discord', () => {
    const GUILD = '123456789012345678';
    const CHANNEL = '223456789012345678';
    const ROLE = '323456789012345678';
    const USER = '423456789012345678';

    it('GIVEN no token THEN Discord is off and every list is empty', async () => {
      const settings = await resolveSettings({}, {}, dir);
      expect(settings.discord).toEqual({
        token: null,
        guildId: null,
        alertsChannelId: null,
        statusChannelId: null,
        owners: [],
        managers: { users: [], roles: [] },
        readers: { users: [], roles: [] },
      });
    });

    it('GIVEN a discord section in the file and the token in the environment THEN the environment beats the file per setting', async () => {
      await writeFile(
        path.join(dir, 'servicedeck.config.json'),
        JSON.stringify({
          discord: {
            guildId: GUILD,
            alertsChannelId: CHANNEL,
            managers: { roles: [ROLE] },
            readers: { users: [USER] },
          },
        }),
      );
      const settings = await resolveSettings(
        {},
        {
          SERVICEDECK_DISCORD_TOKEN: ' bot-token ',
          SERVICEDECK_DISCORD_STATUS_CHANNEL_ID: CHANNEL,
          SERVICEDECK_DISCORD_MANAGER_ROLES: `${ROLE}, 523456789012345678`,
          SERVICEDECK_DISCORD_OWNERS: USER,
        },
        dir,
      );
      expect(settings.discord).toEqual({
        token: 'bot-token',
        guildId: GUILD,
        alertsChannelId: CHANNEL,
        statusChannelId: CHANNEL,
        owners: [USER],
        managers: { users: [], roles: [ROLE, '523456789012345678'] },
        readers: { users: [USER], roles: [] },
      });
    });

    it('GIVEN a token in the file or ids that are not ids THEN each mistake is listed with what to do', async () => {
      const file = path.join(dir, 'servicedeck.config.json');
      await writeFile(
        file,
        JSON.stringify({
          discord: { token: 'x', guildId: 42, managers: { users: ['me'], groups: [] }, channel: CHANNEL },
        }),
      );
      const error = (await resolveSettings({}, {}, dir).then(
        () => new Error('resolved'),
        (e: unknown) => e,
      )) as Error;
      expect(error).toMatchObject({ code: 'SD_ERR_CONFIG_FILE_INVALID' });
      expect(error.message).toContain(
        '"discord.token" is not read from the file (a token must not be stored next to the code): set SERVICEDECK_DISCORD_TOKEN instead',
      );
      expect(error.message).toContain('"discord.channel" is not a setting (guildId, alertsChannelId');
      expect(error.message).toContain(
        '"discord.guildId" must be a Discord id (17 to 20 digits, as a string)',
      );
      expect(error.message).toContain('"discord.managers.groups" is not a setting (users, roles)');
      expect(error.message).toContain('"discord.managers.users" must be an array of Discord ids');

      await rm(file);
      await expect(
        resolveSettings(
          {},
          { SERVICEDECK_DISCORD_GUILD_ID: 'my-server', SERVICEDECK_DISCORD_OWNERS: `${USER},bob` },
          dir,
        ),
      ).rejects.toMatchObject({
        code: 'SD_ERR_CONFIG_FILE_INVALID',
        message:
          'Discord settings are invalid: SERVICEDECK_DISCORD_GUILD_ID="my-server" is not a Discord id (17 to 20 digits); SERVICEDECK_DISCORD_OWNERS holds "bob", which is not a Discord id (17 to 20 digits). Copy ids from Discord with Developer Mode on (right-click › Copy ID); see docs/configuration.md.',
      });
    });
  });

  describe('web', () => {
    it('GIVEN nothing THEN the dashboard is on, on 127.0.0.1:4600', async () => {
      expect((await resolveSettings({}, {}, dir)).web).toEqual({
        enabled: true,
        host: '127.0.0.1',
        port: 4600,
        publicUrl: null,
        discordClientId: null,
        discordClientSecret: null,
      });
    });

    it('GIVEN the file and the environment THEN the environment wins; mistakes are listed', async () => {
      await writeFile(
        path.join(dir, 'servicedeck.config.json'),
        JSON.stringify({ web: { port: 8080, publicUrl: 'https://deck.example' } }),
      );
      expect(
        (
          await resolveSettings(
            {},
            {
              SERVICEDECK_WEB_PORT: '0',
              SERVICEDECK_WEB: 'off',
              SERVICEDECK_WEB_DISCORD_CLIENT_ID: '100000000000000001',
              SERVICEDECK_WEB_DISCORD_CLIENT_SECRET: 'oauth-secret',
            },
            dir,
          )
        ).web,
      ).toEqual({
        enabled: false,
        host: '127.0.0.1',
        port: 0,
        publicUrl: 'https://deck.example',
        discordClientId: '100000000000000001',
        discordClientSecret: 'oauth-secret',
      });
      await expect(
        resolveSettings({}, { SERVICEDECK_WEB_PORT: '70000', SERVICEDECK_WEB: 'maybe' }, dir),
      ).rejects.toMatchObject({
        message:
          'Web settings are invalid: SERVICEDECK_WEB="maybe" is neither on nor off; SERVICEDECK_WEB_PORT="70000" is not a port (0 to 65535). See docs/configuration.md#the-web-dashboard.',
      });
      await writeFile(
        path.join(dir, 'servicedeck.config.json'),
        JSON.stringify({ web: { port: 'x', listen: 1 } }),
      );
      await expect(resolveSettings({}, {}, dir)).rejects.toMatchObject({
        message: expect.stringContaining(
          '"web.listen" is not a setting (enabled, host, port, publicUrl, discordClientId); "web.port" must be an integer from 0 to 65535',
        ),
      });
    });
  });
});
