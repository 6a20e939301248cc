/**
 * `@servicedeck/plugin-sentry`: a servicedeck service that installs Sentry's official Node SDK client from
 * the registry's configuration, and checks that the project's ingest endpoint accepts it. servicedeck
 * discovers it through the `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export { type ParsedDsn, parseDsn, SENTRY_CONFIG_SCHEMA, type SentryConfig } from './config.js';
export { SentryService } from './sentry.service.js';
export { SENTRY_PLUGIN_VERSION } from './version.js';
