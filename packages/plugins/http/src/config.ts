/**
 * The configuration of the HTTP endpoint service: its JSON Schema (validated and defaulted by core) and
 * the TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** The methods a health check may use. */
export type HttpProbeMethod = 'GET' | 'HEAD';

/** A validated configuration of the HTTP endpoint service, schema defaults applied. */
export type HttpEndpointConfig = {
  /** The endpoint: health checks request it, and `request()` paths are resolved under it. */
  readonly url: string;
  /** The status a healthy endpoint answers with (default 200). */
  readonly expectedStatus: number;
  /** Milliseconds a request may take, connection and DNS lookup included (default 5000). */
  readonly timeoutMs: number;
  /** The method of health checks (default GET). */
  readonly method: HttpProbeMethod;
  /** Headers sent with every request, such as `authorization`. A secret: it often carries a token. */
  readonly headers?: Readonly<Record<string, string>>;
};

/** Defaults a service definition gives to the settings of its schema. */
export interface HttpConfigDefaults {
  /** The endpoint a new service uses until it is configured otherwise; without it `url` is required. */
  readonly url?: string;
  /** The status a healthy endpoint answers with (default 200). */
  readonly expectedStatus?: number;
  /** Milliseconds a request may take (default 5000). */
  readonly timeoutMs?: number;
  /** The method of health checks (default GET). */
  readonly method?: HttpProbeMethod;
}

/**
 * The JSON Schema (2020-12) of {@link HttpEndpointConfig} with the given defaults. With a default `url`
 * the service is configured out of the box; without one, `url` is required.
 *
 * @param defaults - the defaults of the service's settings.
 */
export function httpConfigSchema(defaults: HttpConfigDefaults = {}): ConfigSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      url: {
        type: 'string',
        format: 'uri',
        pattern: '^https?://',
        ...(defaults.url === undefined ? {} : { default: defaults.url }),
        description: 'The http:// or https:// URL of the endpoint; request() paths are resolved under it.',
      },
      expectedStatus: {
        type: 'integer',
        minimum: 100,
        maximum: 599,
        default: defaults.expectedStatus ?? 200,
        description: 'The status code a healthy endpoint answers with.',
      },
      timeoutMs: {
        type: 'integer',
        minimum: 100,
        maximum: 60_000,
        default: defaults.timeoutMs ?? 5_000,
        description: 'Milliseconds a request may take before it counts as failed.',
      },
      method: {
        type: 'string',
        enum: ['GET', 'HEAD'],
        default: defaults.method ?? 'GET',
        description: 'The HTTP method of health checks.',
      },
      headers: {
        type: 'object',
        propertyNames: { type: 'string', pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" },
        additionalProperties: { type: 'string', pattern: '^[^\\r\\n]*$' },
        'x-secret': true,
        description: 'Headers sent with every request (for example an authorization token).',
      },
    },
    ...(defaults.url === undefined ? { required: ['url'] } : {}),
    additionalProperties: false,
  };
}

/** The JSON Schema (2020-12) of {@link HttpEndpointConfig} of the bundled `http` service: `url` required. */
export const HTTP_CONFIG_SCHEMA: ConfigSchema = httpConfigSchema();
