/**
 * `@servicedeck/plugin-http`: a servicedeck service that health-checks one HTTP(S) endpoint and sends the
 * bot's requests to it. servicedeck discovers it through the `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */

export { HttpEndpointError, type HttpFailureKind } from '@servicedeck/plugin-kit';
export { HTTP_CONFIG_SCHEMA, type HttpEndpointConfig, type HttpProbeMethod } from './config.js';
export { HttpEndpointService, type HttpRequestInit } from './http.service.js';
export { HTTP_PLUGIN_VERSION } from './version.js';
