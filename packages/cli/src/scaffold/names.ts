/**
 * The names of a new plugin, all derived from the one name given to `servicedeck new plugin`: the npm
 * package, the service id, the class, the file and constant names, the directory.
 */
import { PROCESS_SERVICE_ID, SERVICE_ID_PATTERN } from '@servicedeck/core';

/** Every name a plugin package is generated with. */
export interface PluginNames {
  /** The npm package name: `servicedeck-plugin-weather`, `@acme/servicedeck-weather`. */
  readonly packageName: string;
  /** The service id in its metadata: `weather`, `redis-cache`. */
  readonly serviceId: string;
  /** The service class: `WeatherService`, `RedisCacheService`. */
  readonly className: string;
  /** The prefix of the class's other types: `Weather` (`WeatherConfig`). */
  readonly typePrefix: string;
  /** The prefix of exported constants: `WEATHER` (`WEATHER_CONFIG_SCHEMA`). */
  readonly constantPrefix: string;
  /** The service's display name in its metadata: `Weather`, `Redis Cache`. */
  readonly title: string;
  /** The default directory, the package name without its scope: `servicedeck-plugin-weather`. */
  readonly directory: string;
}

/** Prefixes that mark a package name as a servicedeck plugin's; they are not part of the service id. */
const PLUGIN_PREFIXES = ['servicedeck-plugin-', 'servicedeck-'] as const;

/** The prefix an unscoped service name gets to become a package name. */
export const UNSCOPED_PREFIX = 'servicedeck-plugin-';

/** npm's rule for the part of a name after the scope (lowercase, URL-safe, not starting with . or _). */
const PACKAGE_PART = /^[a-z0-9~-][a-z0-9._~-]*$/;

/** npm's longest package name. */
const MAX_PACKAGE_NAME = 214;

/** Why a name cannot be used, and what to give instead. */
export class PluginNameError extends Error {
  public constructor(name: string, reason: string) {
    super(
      `"${name}" cannot name a plugin: ${reason}. Give a service id such as weather or redis-cache, or a package name such as servicedeck-plugin-weather or @acme/servicedeck-weather.`,
    );
    this.name = 'PluginNameError';
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Derives a plugin's names from a service id or a package name.
 *
 * - `weather` → package `servicedeck-plugin-weather`, service `weather`, class `WeatherService`.
 * - `servicedeck-weather`, `servicedeck-plugin-weather` → that package, service `weather`.
 * - `@acme/weather`, `@acme/servicedeck-weather` → that package, service `weather`.
 *
 * The service id is the package name without its scope and a `servicedeck-plugin-` or `servicedeck-`
 * prefix, and must match core's `SERVICE_ID_PATTERN`.
 *
 * @throws PluginNameError when the name is not a valid package name, its service id is not valid, or
 *   the id belongs to core's built-in `process` service.
 */
export function pluginNames(name: string): PluginNames {
  const trimmed = name.trim();
  let scope: string | undefined;
  let base = trimmed;
  if (trimmed.startsWith('@')) {
    const slash = trimmed.indexOf('/');
    scope = slash < 0 ? '' : trimmed.slice(1, slash);
    base = slash < 0 ? '' : trimmed.slice(slash + 1);
    if (!PACKAGE_PART.test(scope) || base === '') {
      throw new PluginNameError(trimmed, 'a scoped package name is @scope/name, in lowercase');
    }
  }
  if (base === '') throw new PluginNameError(trimmed, 'it is empty');
  if (!PACKAGE_PART.test(base)) {
    throw new PluginNameError(
      trimmed,
      'a package name has only lowercase letters, digits and - . _ ~, and does not start with . or _',
    );
  }
  const prefix = PLUGIN_PREFIXES.find((p) => base.startsWith(p) && base.length > p.length);
  const serviceId = prefix ? base.slice(prefix.length) : base;
  if (!SERVICE_ID_PATTERN.test(serviceId)) {
    throw new PluginNameError(
      trimmed,
      `its service id "${serviceId}" must be lowercase letters and digits, start with a letter, and separate words with single - or _`,
    );
  }
  if (serviceId === PROCESS_SERVICE_ID) {
    throw new PluginNameError(trimmed, `"${PROCESS_SERVICE_ID}" is the id of the service built into core`);
  }
  const words = serviceId.split(/[-_]/);
  const typePrefix = words.map(capitalize).join('');
  const className = `${typePrefix}Service`;
  if (className === 'BaseService') {
    throw new PluginNameError(trimmed, 'its class would be BaseService, the name of the class it extends');
  }
  const unscoped = scope === undefined && !prefix ? `${UNSCOPED_PREFIX}${base}` : base;
  const packageName = scope === undefined ? unscoped : `@${scope}/${base}`;
  if (packageName.length > MAX_PACKAGE_NAME) {
    throw new PluginNameError(trimmed, `a package name has at most ${MAX_PACKAGE_NAME} characters`);
  }
  return {
    packageName,
    serviceId,
    className,
    typePrefix,
    constantPrefix: words.map((word) => word.toUpperCase()).join('_'),
    title: words.map(capitalize).join(' '),
    directory: unscoped,
  };
}
