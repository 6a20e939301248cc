/**
 * The HTTP endpoint service: a health check that requests a configured URL and expects a status, and a
 * `request()` method for the bot's own calls to that endpoint, both under the configured timeout.
 */

import type { Logger, ServiceContext } from '@servicedeck/core';
import {
  BaseService,
  type HealthCheckResult,
  inject,
  type JsonObject,
  SERVICE_CONTEXT,
  Service,
  ServiceDeckError,
  type ServiceMetadata,
  silentLogger,
} from '@servicedeck/core';
import {
  EndpointAgents,
  exchange,
  HttpEndpointError,
  InFlightRequests,
  mergeHeaders,
  resolvePath,
  toEndpointError,
  toResponse,
} from '@servicedeck/plugin-kit';
import { HTTP_CONFIG_SCHEMA, type HttpEndpointConfig } from './config.js';
import { type EndpointTarget, toTarget } from './target.js';
import { HTTP_PLUGIN_VERSION } from './version.js';

/** Options of {@link HttpEndpointService.request}. */
export interface HttpRequestInit {
  /** The HTTP method (default `GET`). */
  readonly method?: string;
  /** Headers of this request; they override the configured headers of the same name. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request body. */
  readonly body?: string | Uint8Array;
  /** Milliseconds this request may take (default: the configured `timeoutMs`). */
  readonly timeoutMs?: number;
  /** Aborts the request when it aborts. */
  readonly signal?: AbortSignal;
}

/**
 * Watches one HTTP(S) endpoint and lets the bot call it. Configure it with at least `url`; see
 * {@link HttpEndpointConfig}. For an API wrapper with its own id and defaults (several per bot), see
 * `defineHttpService`.
 *
 * @example
 * ```ts
 * const http = manager.getService<HttpEndpointService>('http');
 * const status = await (await http.request('/status.json')).json();
 * ```
 */
@Service({
  id: 'http',
  name: 'HTTP endpoint',
  description:
    'Checks that an HTTP(S) endpoint answers with the expected status, and sends requests to it for the bot.',
  type: 'wrapper',
  version: HTTP_PLUGIN_VERSION,
  tags: ['http', 'network'],
  configSchema: HTTP_CONFIG_SCHEMA,
})
export class HttpEndpointService extends BaseService<HttpEndpointConfig> {
  private readonly logger: Logger;
  private readonly inFlight = new InFlightRequests();
  private metadata: ServiceMetadata | undefined;
  /** The parsed configuration; undefined until the first `updateConfig`. */
  private target: EndpointTarget | undefined;
  /** The connection pools; they exist only while the service is enabled. */
  private agents: EndpointAgents | undefined;

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super();
    this.logger = context?.logger ?? silentLogger;
  }

  /** The declared metadata, validated once. */
  public override getMetadata(): ServiceMetadata {
    this.metadata ??= super.getMetadata();
    return this.metadata;
  }

  /**
   * Headers every request sends whatever the configuration says, under the configured `headers` (which
   * override them). None here; a service made by `defineHttpService` returns its definition's.
   */
  protected definedHeaders(): Readonly<Record<string, string>> {
    return {};
  }

  /** Whether the service is enabled, so `request()` and health checks reach the endpoint. */
  public get enabled(): boolean {
    return this.agents !== undefined;
  }

  /** How many requests (health checks included) are in flight. */
  public get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Applies a validated configuration. Requests in flight finish with the configuration they started
   * with; idle connections to the previous endpoint are closed.
   */
  public override updateConfig(config: JsonObject): void {
    const target = toTarget(config as HttpEndpointConfig, this.definedHeaders());
    super.updateConfig(config);
    this.target = target;
    this.agents?.closeIdle();
    this.logger.debug('endpoint configured', { origin: target.url.origin, method: target.method });
  }

  /** Opens the connection pools. Needs a configuration with a `url`. */
  public override enable(): void {
    if (this.agents) return;
    if (!this.target) {
      throw new Error('not configured: url is required; updateConfig() must be called before enable()');
    }
    this.agents = new EndpointAgents();
  }

  /** Aborts every request in flight and closes every connection. Safe after a failed or partial start. */
  public override async disable(): Promise<void> {
    const agents = this.agents;
    this.agents = undefined;
    const aborted = this.inFlight.size;
    await this.inFlight.abortAll(
      new HttpEndpointError('aborted', 'request aborted: the service was disabled'),
    );
    agents?.destroy();
    if (aborted > 0) this.logger.debug('aborted requests in flight', { count: aborted });
  }

  /**
   * Requests the configured URL with the configured method and headers and compares the status with
   * `expectedStatus`. Never throws: failures are `error` results whose message says what happened.
   */
  public override async healthCheck(): Promise<HealthCheckResult> {
    const { target, agents } = this;
    if (!target) return { status: 'inactive', message: 'not configured: url is required' };
    if (!agents) return { status: 'inactive', message: 'disabled' };
    const headers = mergeHeaders({ connection: 'close' }, target.headers);
    try {
      const result = await this.inFlight.run(target.timeoutMs, (signal) =>
        exchange(
          target.url,
          { method: target.method, headers, agent: agents.for(target.url), keepBody: false },
          signal,
        ),
      );
      const got = `${result.status} ${result.statusText}`.trim();
      const details = { statusCode: result.status, latencyMs: result.latencyMs };
      if (result.status !== target.expectedStatus) {
        return {
          status: 'error',
          message: `expected ${target.expectedStatus}, got ${got}`,
          details: { ...details, expectedStatus: target.expectedStatus },
        };
      }
      return { status: 'active', message: `${got} in ${result.latencyMs} ms`, details };
    } catch (error) {
      const failure = toEndpointError(error, target.url);
      if (failure.kind === 'aborted' && !this.agents) return { status: 'inactive', message: 'disabled' };
      return {
        status: 'error',
        message: failure.message,
        details: { reason: failure.kind, ...(failure.code === undefined ? {} : { code: failure.code }) },
      };
    }
  }

  /**
   * Sends a request to a path under the configured URL, with the configured headers and timeout, and
   * resolves with the complete response (body buffered).
   *
   * @param path - a path under the configured URL (`'/users?page=2'`); absolute URLs are refused.
   * @param init - method, headers, body, timeout and abort signal of this request.
   * @throws ServiceDeckError `SD_ERR_SERVICE_NOT_RUNNING` while the service is disabled or not configured.
   * @throws HttpEndpointError when no response arrives (timeout, connection refused, DNS, TLS…).
   * @throws TypeError when `path` leaves the configured origin.
   */
  public async request(path: string, init: HttpRequestInit = {}): Promise<Response> {
    const { target, agents } = this;
    if (!target || !agents) {
      const { id, name } = this.getMetadata();
      throw new ServiceDeckError(
        'SD_ERR_SERVICE_NOT_RUNNING',
        `The ${name} service is ${target ? 'disabled' : 'not configured'}; request(${JSON.stringify(path)}) was refused.`,
        { details: { serviceId: id }, hint: `Check manager.isEnabled('${id}') before using the service.` },
      );
    }
    const url = resolvePath(target.url, path);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = mergeHeaders(target.headers, init.headers);
    const request = {
      method,
      headers,
      agent: agents.for(url),
      keepBody: true,
      ...(init.body ? { body: init.body } : {}),
    };
    try {
      const result = await this.inFlight.run(
        init.timeoutMs ?? target.timeoutMs,
        (signal) => exchange(url, request, signal),
        init.signal,
      );
      return toResponse(result, method);
    } catch (error) {
      throw toEndpointError(error, url);
    }
  }
}
