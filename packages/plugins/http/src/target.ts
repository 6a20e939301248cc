/**
 * The endpoint a configuration describes, parsed once per `updateConfig`: its URL, probe settings and
 * headers, and how `request()` paths resolve under its URL.
 */
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

/** Header names in lower case, later sets overriding earlier ones. */
export function mergeHeaders(
  ...sets: readonly (Readonly<Record<string, string>> | undefined)[]
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const set of sets) {
    for (const [name, value] of Object.entries(set ?? {})) merged[name.toLowerCase()] = value;
  }
  return merged;
}

/** Parses a validated configuration. */
export function toTarget(config: HttpEndpointConfig): EndpointTarget {
  return {
    url: new URL(config.url),
    method: config.method,
    expectedStatus: config.expectedStatus,
    timeoutMs: config.timeoutMs,
    headers: mergeHeaders({ 'user-agent': USER_AGENT }, config.headers),
  };
}

/**
 * The URL of `path` under `base`, treating the base path as a directory: with base
 * `https://api.example.com/v1`, `users?page=2` and `/users?page=2` both give
 * `https://api.example.com/v1/users?page=2`. The base's own query string is not kept.
 *
 * @throws TypeError when `path` is an absolute URL or resolves to another origin, so configured headers
 *   (tokens) are never sent anywhere else.
 */
export function resolvePath(base: URL, path: string): URL {
  const outside = (): TypeError =>
    new TypeError(
      `request() takes a path under ${base.origin}${base.pathname}, not ${JSON.stringify(path)}.`,
    );
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) throw outside();
  const url = new URL(base.pathname.replace(/\/*$/, '/') + path.replace(/^\/+/, ''), base);
  if (url.origin !== base.origin) throw outside();
  return url;
}
