/**
 * `@servicedeck/plugin-kit`: building blocks for servicedeck plugins. {@link ClientService} runs the
 * lifecycle of a service that owns a live client; {@link HttpClient} talks to an HTTP API and turns every
 * failure into words; the helpers phrase health messages. Test helpers are in
 * `@servicedeck/plugin-kit/testing`.
 *
 * @packageDocumentation
 */
export { ClientService } from './client-service.js';
export { EndpointAgents } from './http/agents.js';
export { BoundedFetch } from './http/bounded-fetch.js';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpClientRequest,
  type HttpClientResponse,
  mergeHeaders,
  resolvePath,
} from './http/client.js';
export {
  describeNetworkError,
  HttpEndpointError,
  type HttpFailureKind,
  type NetworkFailure,
  toEndpointError,
} from './http/errors.js';
export { type ExchangeRequest, type ExchangeResult, exchange } from './http/exchange.js';
export { InFlightRequests } from './http/in-flight.js';
export { headersOf, toResponse } from './http/response.js';
export { settlesWithin, untilAborted } from './wait.js';
export { describeHttpStatus, formatClock, hostPort } from './words.js';
