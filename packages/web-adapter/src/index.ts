/**
 * `@servicedeck/web-adapter`: servicedeck's HTTP API and web dashboard — every facade operation as JSON
 * with request and response schemas and an OpenAPI 3.1 document, a resumable live event stream,
 * Prometheus metrics, sessions opened with a one-time login token, and API tokens for automation. It
 * calls only the `ServiceRegistryManager` facade of `@servicedeck/core`.
 *
 * @packageDocumentation
 */
export {
  type AccessLevel,
  type Identity,
  RateLimiter,
  type Session,
  SessionStore,
  sameSecret,
} from './auth.js';
export { isLoopback, SESSION_COOKIE, WebDashboard, type WebDashboardOptions } from './dashboard.js';
export {
  ERROR_SCHEMA,
  type ErrorBody,
  errorResponse,
  type FieldProblem,
  HttpError,
  type HttpErrorCode,
} from './errors.js';
export {
  auditData,
  EventJournal,
  type EventJournalOptions,
  formatEvent,
  type LiveEvent,
  type LiveEventType,
} from './events.js';
export { METRICS_CONTENT_TYPE, Metrics, type MetricsOptions } from './metrics.js';
export {
  accessLevelOf,
  type DiscordGrant,
  DiscordOAuth,
  type DiscordOAuthOptions,
  type Membership,
  OAUTH_SCOPES,
  type OAuthAllowlist,
} from './oauth.js';
export { openApiDocument, type RouteDoc } from './openapi.js';
export { type RouteAccess, type RouteContext, registerApiRoutes } from './routes.js';
