/**
 * HTTP services of the bot's own: `defineHttpService` makes a service class with its own id, metadata and
 * configuration defaults (an API wrapper such as Godbolt or TLDR), so a bot can have as many as it needs
 * beside the bundled `http` service.
 */

import {
  type ConfigSchema,
  checkConfig,
  type HealthCheckSettings,
  inject,
  normalizeMetadata,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
  ServiceDeckError,
  type ServiceMetadataInput,
} from '@servicedeck/core';
import { mergeHeaders } from '@servicedeck/plugin-kit';
import { type HttpProbeMethod, httpConfigSchema } from './config.js';
import { HttpEndpointService } from './http.service.js';

/** What a bot says about one HTTP service of its own. */
export interface HttpServiceDefinition {
  /** The service id: lowercase letters and digits, single dashes or underscores (`godbolt`, `tldr-pages`). */
  readonly id: string;
  /** The name shown in lists and messages (`Godbolt API`). */
  readonly name: string;
  /** One sentence on what the service is for. */
  readonly description?: string;
  /** `wrapper` (default) for an API wrapper, `external` for a third-party service the bot depends on. */
  readonly type?: 'wrapper' | 'external';
  /** The wrapper's version, shown and recorded with its health (default: none). */
  readonly version?: string;
  /**
   * The default endpoint. With it the service is configured out of the box, and `url` can still be
   * changed through the registry (or its environment variable); without it, `url` must be configured.
   */
  readonly url?: string;
  /** The default status a healthy endpoint answers with (default 200). */
  readonly expectedStatus?: number;
  /** The default method of health checks (default GET). */
  readonly method?: HttpProbeMethod;
  /** The default milliseconds a request may take (default 5000). */
  readonly timeoutMs?: number;
  /**
   * Headers every request sends (`accept: application/json`). They are part of the code, not of the
   * configuration: keep tokens out of them and configure those as the secret `headers` setting, which
   * overrides these.
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Tags for filtering lists. */
  readonly tags?: readonly string[];
  /** Ids of services this one needs. */
  readonly dependencies?: readonly string[];
  /** Health-check interval, timeout and thresholds (core's defaults otherwise). */
  readonly healthCheck?: Partial<HealthCheckSettings>;
}

/** A class made by {@link defineHttpService}: an {@link HttpEndpointService} with its own metadata. */
export type DefinedHttpService = new (context?: ServiceContext) => HttpEndpointService;

/** `godbolt` → `GodboltService`, `tldr-pages` → `TldrPagesService` (the class name in stack traces). */
function className(id: string): string {
  return `${id
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}Service`;
}

/** Refuses defaults that the schema would reject, so the mistake shows where the service is defined. */
function checkDefaults(schema: ConfigSchema, definition: HttpServiceDefinition, origin: string): void {
  const { problems } = checkConfig(schema, {}, definition.id);
  // Without a default url, "url is required" is the expected state of a new service, not a mistake.
  const wrong = problems.filter((problem) => definition.url !== undefined || problem.path !== '/url');
  if (wrong.length === 0) return;
  throw new ServiceDeckError(
    'SD_ERR_INVALID_METADATA',
    `${origin}: the defaults are not valid settings: ${wrong.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; ')}.`,
    {
      details: { serviceId: definition.id, problems: wrong.map((p) => `${p.path}: ${p.message}`) },
      hint: 'Fix the url, expectedStatus, method or timeoutMs given to defineHttpService.',
    },
  );
}

/**
 * Makes a service class for one HTTP endpoint of the bot: an API wrapper with its own id, metadata and
 * configuration (its defaults taken from the definition). It behaves like the bundled `http` service —
 * health check, `request()`, lifecycle — and coexists with it and with any number of other definitions.
 *
 * Export the class from one of the bot's service files (matched by its service globs) for discovery, or
 * pass an instance to `manager.registerService`.
 *
 * @param definition - the service's id, name and defaults.
 * @returns a new class, decorated with its own metadata.
 * @throws ServiceDeckError `SD_ERR_INVALID_METADATA` when the definition is not valid metadata (a bad id,
 *   an empty name…), or `SD_ERR_INVALID_CONFIG_SCHEMA` when a default does not fit the schema.
 * @example
 * ```ts
 * // src/services/godbolt.service.ts
 * import { defineHttpService } from '@servicedeck/plugin-http';
 *
 * export const GodboltService = defineHttpService({
 *   id: 'godbolt',
 *   name: 'Godbolt API',
 *   url: 'https://godbolt.org/api/compilers',
 *   headers: { accept: 'application/json' },
 * });
 * ```
 */
export function defineHttpService(definition: HttpServiceDefinition): DefinedHttpService {
  const origin = `defineHttpService(${JSON.stringify(definition.id)})`;
  const configSchema = httpConfigSchema({
    ...(definition.url === undefined ? {} : { url: definition.url }),
    ...(definition.expectedStatus === undefined ? {} : { expectedStatus: definition.expectedStatus }),
    ...(definition.method === undefined ? {} : { method: definition.method }),
    ...(definition.timeoutMs === undefined ? {} : { timeoutMs: definition.timeoutMs }),
  });
  const metadata: ServiceMetadataInput = {
    id: definition.id,
    name: definition.name,
    type: definition.type ?? 'wrapper',
    configSchema,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    ...(definition.version === undefined ? {} : { version: definition.version }),
    ...(definition.tags === undefined ? {} : { tags: [...definition.tags] }),
    ...(definition.dependencies === undefined ? {} : { dependencies: [...definition.dependencies] }),
    ...(definition.healthCheck === undefined ? {} : { healthCheck: { ...definition.healthCheck } }),
  };
  // A mistake in the definition is reported where the bot defines the service, not at discovery.
  normalizeMetadata(metadata, origin);
  checkDefaults(configSchema, definition, origin);
  const headers = mergeHeaders(definition.headers);

  @Service(metadata)
  class DefinedService extends HttpEndpointService {
    /**
     * @param context - injected by the manager; omit it when constructing the service yourself.
     */
    public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
      super(context);
    }

    protected override definedHeaders(): Readonly<Record<string, string>> {
      return headers;
    }
  }
  Object.defineProperty(DefinedService, 'name', { value: className(definition.id) });
  return DefinedService;
}
