/**
 * An HTTP client for one API: requests under a base URL with default headers and a timeout, kept-alive
 * connections, and `close()` that aborts what is in flight and closes every socket, so a disabled service
 * leaves nothing behind.
 */
import { EndpointAgents } from './agents.js';
import { HttpEndpointError, toEndpointError } from './errors.js';
import { exchange } from './exchange.js';
import { InFlightRequests } from './in-flight.js';
import { headersOf } from './response.js';

/** Settings of an {@link HttpClient}. */
export interface HttpClientOptions {
  /** The API's base URL; request paths resolve under it (`https://api.github.com`). */
  readonly baseUrl: string | URL;
  /** Headers sent with every request (names in any case). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Milliseconds a request may take, connection included, unless a request says otherwise (default 10 000). */
  readonly timeoutMs?: number;
}

/** One request of an {@link HttpClient}. */
export interface HttpClientRequest {
  /** The HTTP method (default `GET`). */
  readonly method?: string;
  /** Headers of this request; they override the client's headers of the same name. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Query parameters added to the path's own. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** The body: a string or bytes as is, anything else as JSON (with a JSON `content-type`). */
  readonly body?: string | Uint8Array | object;
  /** Milliseconds this request may take (default: the client's). */
  readonly timeoutMs?: number;
  /** Aborts the request when it aborts. */
  readonly signal?: AbortSignal;
}

/** A complete response, body buffered. */
export interface HttpClientResponse {
  readonly status: number;
  readonly statusText: string;
  /** The response headers. */
  readonly headers: Headers;
  /** The raw body. */
  readonly body: Buffer;
  /** Milliseconds from sending the request to receiving the response headers. */
  readonly latencyMs: number;
  /** The body as UTF-8 text. */
  text(): string;
  /**
   * The body parsed as JSON.
   *
   * @throws HttpEndpointError (kind `network`) when the body is not JSON, quoting its start.
   */
  json<T = unknown>(): T;
}

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

function encodeBody(body: HttpClientRequest['body']): {
  readonly data?: string | Uint8Array;
  readonly json: boolean;
} {
  if (body === undefined) return { json: false };
  if (typeof body === 'string' || body instanceof Uint8Array) return { data: body, json: false };
  return { data: JSON.stringify(body), json: true };
}

/**
 * Talks to one HTTP API. Failures to get a response reject with an {@link HttpEndpointError} whose
 * message says what happened in words ("connection refused by 127.0.0.1:8086", "no response within
 * 5000 ms"); a response with any status resolves.
 *
 * @example
 * ```ts
 * const api = new HttpClient({ baseUrl: 'https://api.github.com', headers: { authorization: `Bearer ${token}` } });
 * const limits = (await api.request('/rate_limit')).json<{ rate: { remaining: number } }>();
 * await api.close();
 * ```
 */
export class HttpClient {
  /** The base URL. */
  public readonly baseUrl: URL;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly agents = new EndpointAgents();
  private readonly inFlight = new InFlightRequests();
  private closed = false;

  public constructor(options: HttpClientOptions) {
    this.baseUrl = new URL(options.baseUrl);
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') {
      throw new TypeError(`${this.baseUrl.href} is not an http:// or https:// URL.`);
    }
    this.headers = mergeHeaders(options.headers);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** How many requests are in flight. */
  public get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether {@link HttpClient.close} was called. */
  public get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a request to a path under the base URL and resolves with the complete response.
   *
   * @throws HttpEndpointError when no response arrives (timeout, refused, DNS, TLS, closed client…).
   * @throws TypeError when `path` leaves the base URL's origin.
   */
  public async request(path: string, init: HttpClientRequest = {}): Promise<HttpClientResponse> {
    if (this.closed) throw new HttpEndpointError('aborted', 'request refused: the client is closed');
    const url = resolvePath(this.baseUrl, path);
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const { data, json } = encodeBody(init.body);
    const headers = mergeHeaders(
      { accept: 'application/json' },
      this.headers,
      json ? { 'content-type': 'application/json' } : undefined,
      init.headers,
    );
    try {
      const result = await this.inFlight.run(
        init.timeoutMs ?? this.timeoutMs,
        (signal) =>
          exchange(
            url,
            { method, headers, agent: this.agents.for(url), keepBody: true, ...(data ? { body: data } : {}) },
            signal,
          ),
        init.signal,
      );
      return {
        status: result.status,
        statusText: result.statusText,
        headers: headersOf(result.rawHeaders),
        body: result.body,
        latencyMs: result.latencyMs,
        text: () => result.body.toString('utf8'),
        json: <T>() => {
          try {
            return JSON.parse(result.body.toString('utf8')) as T;
          } catch {
            const start = result.body.toString('utf8', 0, 60).replace(/\s+/g, ' ');
            throw new HttpEndpointError(
              'network',
              `${url.host} answered ${result.status} with a body that is not JSON: ${JSON.stringify(start)}`,
            );
          }
        },
      };
    } catch (error) {
      throw toEndpointError(error, url);
    }
  }

  /** Closes idle kept-alive connections; requests in flight go on. */
  public closeIdle(): void {
    this.agents.closeIdle();
  }

  /**
   * Aborts every request in flight (they reject with `reason`), closes every connection and refuses
   * further requests. Safe to call twice.
   */
  public async close(reason = 'request aborted: the client was closed'): Promise<void> {
    this.closed = true;
    await this.inFlight.abortAll(new HttpEndpointError('aborted', reason));
    this.agents.destroy();
  }
}
