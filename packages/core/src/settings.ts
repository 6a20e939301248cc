/**
 * servicedeck's own settings (database, where to discover services, log level), resolved from, in order
 * of precedence: explicit overrides (CLI flags), environment variables, the configuration file, defaults.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ServiceDeckError } from './errors.js';
import type { LogLevel } from './logger.js';

/** The default configuration file name, looked up in the working directory. */
export const CONFIG_FILE_NAME = 'servicedeck.config.json';

/** Resolved settings. */
export interface ServiceDeckSettings {
  /** Database URL: a SQLite path or a PostgreSQL URL. */
  readonly database: string;
  /** The host project's directory, whose package.json lists plugin packages. */
  readonly root: string;
  /** Extra plugin package names to load. */
  readonly plugins: readonly string[];
  /** Globs (relative to `root`) of the host's own compiled service files. */
  readonly services: readonly string[];
  /** Log level. */
  readonly logLevel: LogLevel;
  /** The Discord bot `servicedeck up` connects (its token is null when none is configured). */
  readonly discord: DiscordSettings;
  /** The web dashboard `servicedeck up` serves. */
  readonly web: WebSettings;
  /** The configuration file that was read, if any. */
  readonly configFile: string | null;
  /** Where each setting came from (`flag`, `env`, `file`, `default`). */
  readonly origins: Readonly<
    Record<'database' | 'root' | 'plugins' | 'services' | 'logLevel', SettingOrigin>
  >;
}

/** User and role ids. */
export interface DiscordAllowlist {
  readonly users: readonly string[];
  readonly roles: readonly string[];
}

/**
 * The Discord bot `servicedeck up` connects. The token comes only from the environment
 * (`SERVICEDECK_DISCORD_TOKEN`), never from the configuration file; every other setting from either.
 */
export interface DiscordSettings {
  /** The bot token, or null: then `servicedeck up` runs without Discord. */
  readonly token: string | null;
  /** Register `/services` in this guild only (instantly), instead of globally. */
  readonly guildId: string | null;
  /** Post alerts on failures and recoveries in this channel. */
  readonly alertsChannelId: string | null;
  /** Keep a live status message in this channel. */
  readonly statusChannelId: string | null;
  /** User ids that may always do everything (besides the application's owners). */
  readonly owners: readonly string[];
  /** Who may manage; when both lists are empty, members with the Administrator permission. */
  readonly managers: DiscordAllowlist;
  /** Who may read, besides members with the Manage Server permission. */
  readonly readers: DiscordAllowlist;
}

/** The web dashboard and HTTP API `servicedeck up` serves. */
export interface WebSettings {
  /** Whether `servicedeck up` serves it (default true). */
  readonly enabled: boolean;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host: string;
  /** Port (default 4600; 0 picks a free one). */
  readonly port: number;
  /** The URL people reach it at, when behind a reverse proxy (https makes its cookies Secure). */
  readonly publicUrl: string | null;
  /**
   * Discord login for the dashboard: the application's OAuth2 client id and secret (the secret from the
   * environment only). With both, members of the Discord guild log in with Discord.
   */
  readonly discordClientId: string | null;
  readonly discordClientSecret: string | null;
}

/** Where a setting's value came from. */
export type SettingOrigin = 'flag' | 'env' | 'file' | 'default';

/** Settings given explicitly (command-line flags). */
export interface SettingOverrides {
  readonly database?: string;
  readonly root?: string;
  readonly plugins?: readonly string[];
  readonly services?: readonly string[];
  readonly logLevel?: LogLevel;
  /** Path of the configuration file (else `SERVICEDECK_CONFIG`, else `servicedeck.config.json` if present). */
  readonly configFile?: string;
}

/** Environment variables servicedeck reads. */
export const SETTINGS_ENV = {
  database: 'SERVICEDECK_DATABASE_URL',
  root: 'SERVICEDECK_ROOT',
  plugins: 'SERVICEDECK_PLUGINS',
  services: 'SERVICEDECK_SERVICES',
  logLevel: 'SERVICEDECK_LOG_LEVEL',
  configFile: 'SERVICEDECK_CONFIG',
} as const;

/** Environment variables of the web dashboard. */
export const WEB_ENV = {
  enabled: 'SERVICEDECK_WEB',
  host: 'SERVICEDECK_WEB_HOST',
  port: 'SERVICEDECK_WEB_PORT',
  publicUrl: 'SERVICEDECK_WEB_PUBLIC_URL',
  discordClientId: 'SERVICEDECK_WEB_DISCORD_CLIENT_ID',
  discordClientSecret: 'SERVICEDECK_WEB_DISCORD_CLIENT_SECRET',
} as const;

/** Environment variables of the Discord bot `servicedeck up` connects (lists are comma-separated). */
export const DISCORD_ENV = {
  token: 'SERVICEDECK_DISCORD_TOKEN',
  guildId: 'SERVICEDECK_DISCORD_GUILD_ID',
  alertsChannelId: 'SERVICEDECK_DISCORD_ALERTS_CHANNEL_ID',
  statusChannelId: 'SERVICEDECK_DISCORD_STATUS_CHANNEL_ID',
  owners: 'SERVICEDECK_DISCORD_OWNERS',
  managerUsers: 'SERVICEDECK_DISCORD_MANAGER_USERS',
  managerRoles: 'SERVICEDECK_DISCORD_MANAGER_ROLES',
  readerUsers: 'SERVICEDECK_DISCORD_READER_USERS',
  readerRoles: 'SERVICEDECK_DISCORD_READER_ROLES',
} as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const FILE_KEYS = [
  '$schema',
  'database',
  'root',
  'plugins',
  'services',
  'logLevel',
  'discord',
  'web',
] as const;
const WEB_FILE_KEYS = ['enabled', 'host', 'port', 'publicUrl', 'discordClientId'] as const;
const DISCORD_FILE_KEYS = [
  'guildId',
  'alertsChannelId',
  'statusChannelId',
  'owners',
  'managers',
  'readers',
] as const;
/** A Discord id (a snowflake). */
const SNOWFLAKE = /^\d{17,20}$/;

interface FileAllowlist {
  users?: string[];
  roles?: string[];
}

interface FileDiscord {
  guildId?: string;
  alertsChannelId?: string;
  statusChannelId?: string;
  owners?: string[];
  managers?: FileAllowlist;
  readers?: FileAllowlist;
}

interface FileWeb {
  enabled?: boolean;
  host?: string;
  port?: number;
  publicUrl?: string;
  discordClientId?: string;
}

interface FileSettings {
  web?: FileWeb;
  database?: string;
  root?: string;
  plugins?: string[];
  services?: string[];
  logLevel?: LogLevel;
  discord?: FileDiscord;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const validPort = (value: unknown): boolean =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65_535;
const validUrl = (value: unknown): boolean => {
  if (typeof value !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** The mistakes in the file's `web` section. */
function webFileProblems(value: unknown): string[] {
  if (!isObject(value)) return ['"web" must be an object'];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (key === 'discordClientSecret') {
      problems.push(
        `"web.discordClientSecret" is not read from the file (a secret must not be stored next to the code): set ${WEB_ENV.discordClientSecret} instead`,
      );
    } else if (!(WEB_FILE_KEYS as readonly string[]).includes(key))
      problems.push(`"web.${key}" is not a setting (${WEB_FILE_KEYS.join(', ')})`);
  }
  if (
    value.discordClientId !== undefined &&
    !(typeof value.discordClientId === 'string' && SNOWFLAKE.test(value.discordClientId))
  )
    problems.push('"web.discordClientId" must be a Discord id (17 to 20 digits, as a string)');
  if (value.enabled !== undefined && typeof value.enabled !== 'boolean')
    problems.push('"web.enabled" must be true or false');
  if (value.host !== undefined && (typeof value.host !== 'string' || value.host === ''))
    problems.push('"web.host" must be a non-empty string');
  if (value.port !== undefined && !validPort(value.port))
    problems.push('"web.port" must be an integer from 0 to 65535');
  if (value.publicUrl !== undefined && !validUrl(value.publicUrl))
    problems.push('"web.publicUrl" must be an http or https URL');
  return problems;
}

/** The mistakes in the file's `discord` section. */
function discordFileProblems(value: unknown): string[] {
  if (!isObject(value)) return ['"discord" must be an object'];
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (key === 'token') {
      problems.push(
        `"discord.token" is not read from the file (a token must not be stored next to the code): set ${DISCORD_ENV.token} instead`,
      );
    } else if (!(DISCORD_FILE_KEYS as readonly string[]).includes(key)) {
      problems.push(`"discord.${key}" is not a setting (${DISCORD_FILE_KEYS.join(', ')})`);
    }
  }
  for (const key of ['guildId', 'alertsChannelId', 'statusChannelId'] as const) {
    const id = value[key];
    if (id !== undefined && !(typeof id === 'string' && SNOWFLAKE.test(id)))
      problems.push(`"discord.${key}" must be a Discord id (17 to 20 digits, as a string)`);
  }
  const idList = (name: string, list: unknown): void => {
    if (
      list !== undefined &&
      !(Array.isArray(list) && list.every((id) => typeof id === 'string' && SNOWFLAKE.test(id)))
    )
      problems.push(`"${name}" must be an array of Discord ids (17 to 20 digits, as strings)`);
  };
  idList('discord.owners', value.owners);
  for (const key of ['managers', 'readers'] as const) {
    const list = value[key];
    if (list === undefined) continue;
    if (!isObject(list)) {
      problems.push(`"discord.${key}" must be an object with "users" and "roles"`);
      continue;
    }
    for (const inner of Object.keys(list)) {
      if (inner !== 'users' && inner !== 'roles')
        problems.push(`"discord.${key}.${inner}" is not a setting (users, roles)`);
    }
    idList(`discord.${key}.users`, list.users);
    idList(`discord.${key}.roles`, list.roles);
  }
  return problems;
}

function invalidFile(file: string, reason: string, cause?: unknown): ServiceDeckError {
  return new ServiceDeckError(
    'SD_ERR_CONFIG_FILE_INVALID',
    `Configuration file ${file} is invalid: ${reason}.`,
    {
      cause,
      details: { file },
      hint: `Fix it (settings: ${FILE_KEYS.slice(1).join(', ')}); see docs/configuration.md.`,
    },
  );
}

async function readConfigFile(file: string, required: boolean): Promise<FileSettings | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ServiceDeckError(
      'SD_ERR_CONFIG_FILE_INVALID',
      `Cannot read configuration file ${file}: ${describeError(error)}.`,
      {
        cause: error,
        details: { file },
        hint: 'Check the path given with --config or SERVICEDECK_CONFIG.',
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidFile(file, `it is not valid JSON (${describeError(error)})`, error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidFile(file, 'it must hold a JSON object');
  const problems: string[] = [];
  const raw = parsed as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(FILE_KEYS as readonly string[]).includes(key)) problems.push(`"${key}" is not a setting`);
  }
  for (const key of ['database', 'root'] as const) {
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key] === ''))
      problems.push(`"${key}" must be a non-empty string`);
  }
  for (const key of ['plugins', 'services'] as const) {
    const value = raw[key];
    if (
      value !== undefined &&
      !(Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== ''))
    ) {
      problems.push(`"${key}" must be an array of non-empty strings`);
    }
  }
  if (raw.logLevel !== undefined && !LOG_LEVELS.includes(raw.logLevel as LogLevel)) {
    problems.push(`"logLevel" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (raw.discord !== undefined) problems.push(...discordFileProblems(raw.discord));
  if (raw.web !== undefined) problems.push(...webFileProblems(raw.web));
  if (problems.length > 0) throw invalidFile(file, problems.join('; '));
  return raw as FileSettings;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** An environment variable's value without surrounding spaces, or undefined when unset or blank. */
function trimmedEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Resolves the web settings from the environment over the file. */
function resolveWeb(env: NodeJS.ProcessEnv, file: FileWeb | undefined): WebSettings {
  const problems: string[] = [];
  const value = (name: string): string | undefined => trimmedEnv(env, name);
  let enabled = file?.enabled ?? true;
  const switchValue = value(WEB_ENV.enabled);
  if (switchValue !== undefined) {
    if (/^(on|true|1|yes)$/i.test(switchValue)) enabled = true;
    else if (/^(off|false|0|no)$/i.test(switchValue)) enabled = false;
    else problems.push(`${WEB_ENV.enabled}="${switchValue}" is neither on nor off`);
  }
  let port = file?.port ?? 4600;
  const portValue = value(WEB_ENV.port);
  if (portValue !== undefined) {
    if (/^\d+$/.test(portValue) && validPort(Number(portValue))) port = Number(portValue);
    else problems.push(`${WEB_ENV.port}="${portValue}" is not a port (0 to 65535)`);
  }
  const publicUrl = value(WEB_ENV.publicUrl) ?? file?.publicUrl ?? null;
  if (publicUrl !== null && !validUrl(publicUrl))
    problems.push(`${WEB_ENV.publicUrl}="${publicUrl}" is not an http or https URL`);
  if (problems.length > 0) {
    throw new ServiceDeckError(
      'SD_ERR_CONFIG_FILE_INVALID',
      `Web settings are invalid: ${problems.join('; ')}.`,
      {
        hint: 'See docs/configuration.md#the-web-dashboard.',
      },
    );
  }
  const discordClientId = value(WEB_ENV.discordClientId) ?? file?.discordClientId ?? null;
  if (discordClientId !== null && !SNOWFLAKE.test(discordClientId))
    problems.push(`${WEB_ENV.discordClientId}="${discordClientId}" is not a Discord id (17 to 20 digits)`);
  if (problems.length > 0) {
    throw new ServiceDeckError(
      'SD_ERR_CONFIG_FILE_INVALID',
      `Web settings are invalid: ${problems.join('; ')}.`,
      {
        hint: 'See docs/configuration.md#the-web-dashboard.',
      },
    );
  }
  return {
    enabled,
    host: value(WEB_ENV.host) ?? file?.host ?? '127.0.0.1',
    port,
    publicUrl,
    discordClientId,
    discordClientSecret: value(WEB_ENV.discordClientSecret) ?? null,
  };
}

/** Resolves the Discord settings from the environment over the file; refuses ids that are not ids. */
function resolveDiscord(env: NodeJS.ProcessEnv, file: FileDiscord | undefined): DiscordSettings {
  const problems: string[] = [];
  const value = (name: string): string | undefined => trimmedEnv(env, name);
  const id = (name: string, fromFile: string | undefined): string | null => {
    const raw = value(name);
    if (raw === undefined) return fromFile ?? null;
    if (!SNOWFLAKE.test(raw)) problems.push(`${name}="${raw}" is not a Discord id (17 to 20 digits)`);
    return raw;
  };
  const ids = (name: string, fromFile: readonly string[] | undefined): readonly string[] => {
    const raw = value(name);
    if (raw === undefined) return fromFile ?? [];
    const list = splitList(raw);
    for (const item of list) {
      if (!SNOWFLAKE.test(item))
        problems.push(`${name} holds "${item}", which is not a Discord id (17 to 20 digits)`);
    }
    return list;
  };
  const settings: DiscordSettings = {
    token: value(DISCORD_ENV.token) ?? null,
    guildId: id(DISCORD_ENV.guildId, file?.guildId),
    alertsChannelId: id(DISCORD_ENV.alertsChannelId, file?.alertsChannelId),
    statusChannelId: id(DISCORD_ENV.statusChannelId, file?.statusChannelId),
    owners: ids(DISCORD_ENV.owners, file?.owners),
    managers: {
      users: ids(DISCORD_ENV.managerUsers, file?.managers?.users),
      roles: ids(DISCORD_ENV.managerRoles, file?.managers?.roles),
    },
    readers: {
      users: ids(DISCORD_ENV.readerUsers, file?.readers?.users),
      roles: ids(DISCORD_ENV.readerRoles, file?.readers?.roles),
    },
  };
  if (problems.length > 0) {
    throw new ServiceDeckError(
      'SD_ERR_CONFIG_FILE_INVALID',
      `Discord settings are invalid: ${problems.join('; ')}.`,
      {
        hint: 'Copy ids from Discord with Developer Mode on (right-click › Copy ID); see docs/configuration.md.',
      },
    );
  }
  return settings;
}

/**
 * Resolves servicedeck's settings. Relative paths in the configuration file are resolved against the
 * file's directory; relative flags and environment values against `cwd`.
 *
 * @throws ServiceDeckError `SD_ERR_CONFIG_FILE_INVALID`.
 */
export async function resolveSettings(
  overrides: SettingOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<ServiceDeckSettings> {
  const explicitFile = overrides.configFile ?? env[SETTINGS_ENV.configFile];
  const configFile = path.resolve(cwd, explicitFile ?? CONFIG_FILE_NAME);
  const file = await readConfigFile(configFile, explicitFile !== undefined);
  const fileDir = path.dirname(configFile);

  const envLevel = env[SETTINGS_ENV.logLevel];
  if (envLevel !== undefined && !LOG_LEVELS.includes(envLevel as LogLevel)) {
    throw new ServiceDeckError(
      'SD_ERR_CONFIG_FILE_INVALID',
      `${SETTINGS_ENV.logLevel}="${envLevel}" is not a log level.`,
      {
        hint: `Use one of ${LOG_LEVELS.join(', ')}.`,
      },
    );
  }

  const pick = <T>(
    flag: T | undefined,
    fromEnv: T | undefined,
    fromFile: T | undefined,
    fallback: T,
  ): [T, SettingOrigin] => {
    if (flag !== undefined) return [flag, 'flag'];
    if (fromEnv !== undefined) return [fromEnv, 'env'];
    if (fromFile !== undefined) return [fromFile, 'file'];
    return [fallback, 'default'];
  };
  const envValue = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  const fileSqlite = (url: string | undefined): string | undefined =>
    url === undefined || /^[a-z][a-z0-9+.-]*:/i.test(url) || path.isAbsolute(url)
      ? url
      : path.resolve(fileDir, url);

  const [database, databaseOrigin] = pick(
    overrides.database,
    envValue(SETTINGS_ENV.database),
    fileSqlite(file?.database),
    'sqlite:servicedeck.db',
  );
  const [root, rootOrigin] = pick(
    overrides.root === undefined ? undefined : path.resolve(cwd, overrides.root),
    envValue(SETTINGS_ENV.root) === undefined
      ? undefined
      : path.resolve(cwd, envValue(SETTINGS_ENV.root) as string),
    file?.root === undefined ? undefined : path.resolve(fileDir, file.root),
    file ? fileDir : cwd,
  );
  const envPlugins = envValue(SETTINGS_ENV.plugins);
  const envServices = envValue(SETTINGS_ENV.services);
  const [plugins, pluginsOrigin] = pick<readonly string[]>(
    overrides.plugins,
    envPlugins === undefined ? undefined : splitList(envPlugins),
    file?.plugins,
    [],
  );
  const [services, servicesOrigin] = pick<readonly string[]>(
    overrides.services,
    envServices === undefined ? undefined : splitList(envServices),
    file?.services,
    [],
  );
  const [logLevel, logLevelOrigin] = pick<LogLevel>(
    overrides.logLevel,
    envLevel as LogLevel | undefined,
    file?.logLevel,
    'info',
  );
  return {
    database,
    root,
    plugins,
    services,
    logLevel,
    discord: resolveDiscord(env, file?.discord),
    web: resolveWeb(env, file?.web),
    configFile: file ? configFile : null,
    origins: {
      database: databaseOrigin,
      root: rootOrigin,
      plugins: pluginsOrigin,
      services: servicesOrigin,
      logLevel: logLevelOrigin,
    },
  };
}
