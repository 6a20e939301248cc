/**
 * Loads one service module with dynamic `import()` and extracts the service definitions it exports:
 * classes decorated with `@Service()` or carrying a static `SERVICE_METADATA`, or a module-level
 * `SERVICE_METADATA` export describing the module's default-exported class.
 */
import { pathToFileURL } from 'node:url';
import type { DiscoveryProblem, ServiceClass, ServiceDefinition, ServiceSource } from '../definition.js';
import { describeError, isServiceDeckError, ServiceDeckError } from '../errors.js';
import { getDeclaredMetadata, normalizeMetadata, SERVICE_METADATA } from '../metadata.js';

/** What one module yielded. */
export interface ModuleLoadResult {
  readonly definitions: ServiceDefinition[];
  readonly problems: DiscoveryProblem[];
}

/** A constructor: a class, or a function compiled from one (arrow functions have no prototype). */
function isClass(value: unknown): value is ServiceClass {
  return typeof value === 'function' && value.prototype !== undefined;
}

function asProblem(error: unknown, origin: string, serviceId?: string): DiscoveryProblem {
  const wrapped = isServiceDeckError(error)
    ? error
    : new ServiceDeckError('SD_ERR_PLUGIN_INVALID', `${origin}: ${describeError(error)}`, { cause: error });
  return { origin, error: wrapped, ...(serviceId === undefined ? {} : { serviceId }) };
}

/**
 * Imports `file` and returns its service definitions. Never throws: an import error or invalid export is
 * returned as a problem so the caller can go on with the other modules.
 */
export async function loadServiceModule(file: string, source: ServiceSource): Promise<ModuleLoadResult> {
  let moduleNamespace: Record<string, unknown>;
  try {
    moduleNamespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    return {
      definitions: [],
      problems: [
        {
          origin: file,
          error: new ServiceDeckError(
            'SD_ERR_PLUGIN_LOAD_FAILED',
            `Cannot load ${file}: ${describeError(error)}.`,
            {
              cause: error,
              details: { file },
              hint: 'Fix the error in the module (or rebuild the plugin) and start again; the other services were loaded.',
            },
          ),
        },
      ],
    };
  }
  return definitionsOf(moduleNamespace, file, source);
}

/**
 * The service definitions a loaded module exports (see {@link loadServiceModule}), and the problems with
 * the ones that are invalid.
 */
export function definitionsOf(
  moduleNamespace: Record<string, unknown>,
  file: string,
  source: ServiceSource,
): ModuleLoadResult {
  const definitions: ServiceDefinition[] = [];
  const problems: DiscoveryProblem[] = [];
  const seen = new Set<unknown>();
  for (const value of Object.values(moduleNamespace)) {
    if (seen.has(value)) continue;
    seen.add(value);
    const declared = getDeclaredMetadata(value);
    if (declared === undefined || !isClass(value)) continue;
    try {
      definitions.push({ metadata: normalizeMetadata(declared, file), source, serviceClass: value });
    } catch (error) {
      problems.push(asProblem(error, file, typeof declared?.id === 'string' ? declared.id : undefined));
    }
  }
  const moduleMetadata = moduleNamespace[SERVICE_METADATA];
  if (moduleMetadata !== undefined && typeof moduleMetadata !== 'function') {
    const candidates = isClass(moduleNamespace.default)
      ? [moduleNamespace.default]
      : Object.values(moduleNamespace).filter(
          (value) => isClass(value) && getDeclaredMetadata(value) === undefined,
        );
    const [serviceClass] = candidates;
    const id = (moduleMetadata as { id?: unknown } | null)?.id;
    if (candidates.length !== 1 || !isClass(serviceClass)) {
      problems.push({
        origin: file,
        ...(typeof id === 'string' ? { serviceId: id } : {}),
        error: new ServiceDeckError(
          'SD_ERR_PLUGIN_INVALID',
          `${file} exports SERVICE_METADATA but ${candidates.length === 0 ? 'no service class' : 'several classes'}.`,
          { details: { file }, hint: 'Export the service class as the default export of the module.' },
        ),
      });
    } else {
      try {
        definitions.push({ metadata: normalizeMetadata(moduleMetadata, file), source, serviceClass });
      } catch (error) {
        problems.push(asProblem(error, file, typeof id === 'string' ? id : undefined));
      }
    }
  }
  if (definitions.length === 0 && problems.length === 0) {
    problems.push({
      origin: file,
      error: new ServiceDeckError(
        'SD_ERR_PLUGIN_INVALID',
        `${file} matched a service glob but exports no service.`,
        {
          details: { file },
          hint: 'Decorate the class with @Service({...}), or export SERVICE_METADATA with the class as default export; or narrow the glob.',
        },
      ),
    });
  }
  return { definitions, problems };
}
