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
  /** The configuration file that was read, if any. */
  readonly configFile: string | null;
  /** Where each setting came from (`flag`, `env`, `file`, `default`). */
  readonly origins: Readonly<
    Record<'database' | 'root' | 'plugins' | 'services' | 'logLevel', SettingOrigin>
  >;
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

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const FILE_KEYS = ['$schema', 'database', 'root', 'plugins', 'services', 'logLevel'] as const;

interface FileSettings {
  database?: string;
  root?: string;
  plugins?: string[];
  services?: string[];
  logLevel?: LogLevel;
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
  if (problems.length > 0) throw invalidFile(file, problems.join('; '));
  return raw as FileSettings;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
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
