/**
 * `@servicedeck/plugin-http`: a servicedeck service that health-checks one HTTP(S) endpoint and sends the
 * bot's requests to it. servicedeck discovers it through the `servicedeck` marker of this package.
 * `defineHttpService` makes more such services, each with its own id: the bot's API wrappers.
 *
 * @packageDocumentation
 */

export { HttpEndpointError, type HttpFailureKind } from '@servicedeck/plugin-kit';
export {
  HTTP_CONFIG_SCHEMA,
  type HttpConfigDefaults,
  type HttpEndpointConfig,
  type HttpProbeMethod,
  httpConfigSchema,
} from './config.js';
export { type DefinedHttpService, defineHttpService, type HttpServiceDefinition } from './define.js';
export { HttpEndpointService, type HttpRequestInit } from './http.service.js';
export { HTTP_PLUGIN_VERSION } from './version.js';
