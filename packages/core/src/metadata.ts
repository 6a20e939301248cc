/**
 * Service metadata: the `@Service()` decorator, the `SERVICE_METADATA` export convention, and the
 * validation that turns declared metadata into a complete {@link ServiceMetadata}.
 */
import 'reflect-metadata';
import { injectable } from 'tsyringe';
import { ServiceDeckError } from './errors.js';
import { compileConfigSchema } from './schema.js';
import {
  type HealthCheckSettings,
  SERVICE_TYPES,
  type ServiceMetadata,
  type ServiceMetadataInput,
} from './types.js';

/**
 * The name of the export (or static class property) that carries a service's metadata, and the key under
 * which `@Service()` attaches it to a class.
 */
export const SERVICE_METADATA = 'SERVICE_METADATA';

/** Key under which `@Service()` stores metadata; shared across copies of this package. */
const METADATA_SYMBOL: unique symbol = Symbol.for('servicedeck.service-metadata') as never;

/** The default health-check settings. */
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = Object.freeze({
  intervalMs: 30_000,
  timeoutMs: 5_000,
  failureThreshold: 3,
  successThreshold: 1,
});

/** The smallest allowed health-check interval. */
export const MIN_HEALTH_CHECK_INTERVAL_MS = 1_000;

/** The pattern a service id must match. */
export const SERVICE_ID_PATTERN = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

// biome-ignore lint/suspicious/noExplicitAny: constructors of any signature can be services.
type AnyClass = abstract new (...args: any[]) => unknown;

/**
 * Marks a class as a servicedeck service and attaches its metadata. The class also becomes injectable
 * through tsyringe, so its constructor can take `@inject(serviceToken('other'))` parameters.
 *
 * @param metadata - the service's metadata; validated when the service is discovered.
 * @example
 * ```ts
 * @Service({ id: 'weather', name: 'Weather API', type: 'wrapper', version: '1.0.0' })
 * export class WeatherService extends BaseService { … }
 * ```
 */
export function Service(metadata: ServiceMetadataInput): <T extends AnyClass>(target: T) => T {
  return <T extends AnyClass>(target: T): T => {
    Object.defineProperty(target, METADATA_SYMBOL, {
      value: metadata,
      enumerable: false,
      configurable: true,
    });
    injectable()(target as never);
    return target;
  };
}

/**
 * The metadata declared on a class, by `@Service()` or a static `SERVICE_METADATA` property, or
 * `undefined` when it declares none.
 */
export function getDeclaredMetadata(target: unknown): ServiceMetadataInput | undefined {
  if (typeof target !== 'function') return undefined;
  if (Object.hasOwn(target, METADATA_SYMBOL)) {
    return (target as unknown as Record<symbol, ServiceMetadataInput>)[METADATA_SYMBOL];
  }
  if (Object.hasOwn(target, SERVICE_METADATA)) {
    return (target as unknown as Record<string, ServiceMetadataInput>)[SERVICE_METADATA];
  }
  return undefined;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Checks declared metadata and applies defaults. Every problem is listed in one error, so a plugin
 * author fixes them in one pass.
 *
 * @param input - the declared metadata (untrusted: it comes from a plugin).
 * @param origin - where it came from (a file path or "registerService"), for the error message.
 * @throws ServiceDeckError `SD_ERR_INVALID_METADATA` or `SD_ERR_INVALID_CONFIG_SCHEMA`.
 */
export function normalizeMetadata(input: unknown, origin: string): ServiceMetadata {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ServiceDeckError('SD_ERR_INVALID_METADATA', `Service metadata in ${origin} is not an object.`, {
      details: { origin },
      hint: 'Export SERVICE_METADATA as an object with at least id, name and type.',
    });
  }
  const raw = input as Record<string, unknown>;
  const problems: string[] = [];
  const id = raw.id;
  if (typeof id !== 'string' || !SERVICE_ID_PATTERN.test(id)) {
    problems.push(
      `id ${JSON.stringify(id)} must be lowercase letters and digits, separated by single dashes or underscores, starting with a letter (e.g. "github", "redis-cache")`,
    );
  }
  if (typeof raw.name !== 'string' || raw.name.trim() === '')
    problems.push('name must be a non-empty string');
  if (typeof raw.type !== 'string' || !(SERVICE_TYPES as readonly string[]).includes(raw.type)) {
    problems.push(`type ${JSON.stringify(raw.type)} must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  if (raw.description !== undefined && typeof raw.description !== 'string')
    problems.push('description must be a string');
  if (raw.version !== undefined && raw.version !== null && typeof raw.version !== 'string') {
    problems.push('version must be a string');
  }
  if (raw.dependencies !== undefined && !isStringArray(raw.dependencies)) {
    problems.push('dependencies must be an array of service ids');
  } else if (typeof id === 'string' && isStringArray(raw.dependencies) && raw.dependencies.includes(id)) {
    problems.push('a service cannot depend on itself');
  }
  if (raw.tags !== undefined && !isStringArray(raw.tags)) problems.push('tags must be an array of strings');
  for (const flag of ['liveConfig', 'enabledByDefault'] as const) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean')
      problems.push(`${flag} must be true or false`);
  }
  if (
    raw.onDependencyReload !== undefined &&
    raw.onDependencyReload !== 'restart' &&
    raw.onDependencyReload !== 'notify'
  ) {
    problems.push(
      `onDependencyReload ${JSON.stringify(raw.onDependencyReload)} must be "restart" or "notify"`,
    );
  }
  const healthCheck = { ...DEFAULT_HEALTH_CHECK };
  if (raw.healthCheck !== undefined) {
    if (raw.healthCheck === null || typeof raw.healthCheck !== 'object') {
      problems.push('healthCheck must be an object');
    } else {
      const settings = raw.healthCheck as Record<string, unknown>;
      for (const key of Object.keys(settings)) {
        if (!(key in DEFAULT_HEALTH_CHECK)) {
          problems.push(
            `healthCheck.${key} is not a setting (known: ${Object.keys(DEFAULT_HEALTH_CHECK).join(', ')})`,
          );
          continue;
        }
        const value = settings[key];
        if (!isPositiveInteger(value)) {
          problems.push(`healthCheck.${key} must be a positive whole number`);
          continue;
        }
        healthCheck[key as keyof HealthCheckSettings] = value;
      }
      if (healthCheck.intervalMs < MIN_HEALTH_CHECK_INTERVAL_MS) {
        problems.push(`healthCheck.intervalMs must be at least ${MIN_HEALTH_CHECK_INTERVAL_MS}`);
      }
    }
  }
  if (raw.configSchema !== undefined && raw.configSchema !== null) {
    if (typeof raw.configSchema !== 'object' || Array.isArray(raw.configSchema)) {
      problems.push('configSchema must be a JSON Schema object');
    }
  }
  const label = typeof id === 'string' ? `"${id}"` : 'a service';
  if (problems.length > 0) {
    throw new ServiceDeckError(
      'SD_ERR_INVALID_METADATA',
      `Invalid metadata for ${label} in ${origin}: ${problems.join('; ')}.`,
      { details: { origin, serviceId: id, problems }, hint: 'Fix the metadata and start again.' },
    );
  }
  const configSchema = (raw.configSchema ?? null) as ServiceMetadata['configSchema'];
  if (configSchema) compileConfigSchema(configSchema, id as string, origin);
  return Object.freeze({
    id: id as string,
    name: (raw.name as string).trim(),
    description: (raw.description as string | undefined) ?? '',
    type: raw.type as ServiceMetadata['type'],
    version: (raw.version as string | null | undefined) ?? null,
    dependencies: Object.freeze([...new Set((raw.dependencies as string[] | undefined) ?? [])]),
    configSchema,
    healthCheck: Object.freeze(healthCheck),
    tags: Object.freeze([...((raw.tags as string[] | undefined) ?? [])]),
    liveConfig: (raw.liveConfig as boolean | undefined) ?? true,
    enabledByDefault: (raw.enabledByDefault as boolean | undefined) ?? true,
    onDependencyReload:
      (raw.onDependencyReload as ServiceMetadata['onDependencyReload'] | undefined) ?? 'restart',
  });
}
