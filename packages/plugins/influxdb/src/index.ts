/**
 * `@servicedeck/plugin-influxdb`: a servicedeck service that lends the bot an InfluxDB 2 client for the
 * configured bucket, checked with ping and write permission. servicedeck discovers it through the
 * `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export { InfluxDbClient } from './client.js';
export { INFLUXDB_CONFIG_SCHEMA, type InfluxDbConfig, type InfluxPrecision } from './config.js';
export { InfluxDbService } from './influxdb.service.js';
export { INFLUXDB_PLUGIN_VERSION } from './version.js';
