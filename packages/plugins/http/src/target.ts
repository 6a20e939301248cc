/**
 * The endpoint a configuration describes, parsed once per `updateConfig`: its URL, probe settings and
 * headers.
 */
import { mergeHeaders } from '@servicedeck/plugin-kit';
import type { HttpEndpointConfig, HttpProbeMethod } from './config.js';
import { HTTP_PLUGIN_VERSION } from './version.js';

/** A parsed configuration. Requests keep the target they started with. */
export interface EndpointTarget {
  readonly url: URL;
  readonly method: HttpProbeMethod;
  readonly expectedStatus: number;
  readonly timeoutMs: number;
  /** Headers of every request, names in lower case, a default `user-agent` included. */
  readonly headers: Readonly<Record<string, string>>;
}

const USER_AGENT = `servicedeck-plugin-http/${HTTP_PLUGIN_VERSION}`;

/**
 * Parses a validated configuration.
 *
 * @param config - the configuration, schema defaults applied.
 * @param definedHeaders - headers the service's definition always sends; the configured ones override them.
 */
export function toTarget(
  config: HttpEndpointConfig,
  definedHeaders: Readonly<Record<string, string>> = {},
): EndpointTarget {
  return {
    url: new URL(config.url),
    method: config.method,
    expectedStatus: config.expectedStatus,
    timeoutMs: config.timeoutMs,
    headers: mergeHeaders({ 'user-agent': USER_AGENT }, definedHeaders, config.headers),
  };
}
