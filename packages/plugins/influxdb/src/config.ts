/**
 * The configuration of the InfluxDB service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** Timestamp precisions of the write API. */
export type InfluxPrecision = 'ns' | 'us' | 'ms' | 's';

/** A validated configuration of the InfluxDB service, schema defaults applied. */
export type InfluxDbConfig = {
  /** The server, `http://influxdb:8086` (or InfluxDB Cloud's region URL). */
  readonly url: string;
  /** An API token allowed to write to the bucket. */
  readonly token: string;
  /** The organization (name or id). */
  readonly org: string;
  /** The bucket points are written to. */
  readonly bucket: string;
  /** The precision of point timestamps (default `ms`). */
  readonly precision: InfluxPrecision;
  /** Tags added to every point written through `writeApi()`. */
  readonly defaultTags?: Readonly<Record<string, string>>;
  /** Milliseconds between automatic flushes of buffered points (default 1000). */
  readonly flushIntervalMs: number;
  /** Milliseconds a request may take (default 10000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link InfluxDbConfig}. */
export const INFLUXDB_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description: 'The server: http://influxdb:8086, or the InfluxDB Cloud region URL.',
    },
    token: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: 'An API token allowed to write to the bucket.',
    },
    org: { type: 'string', minLength: 1, description: 'The organization, by name or id.' },
    bucket: { type: 'string', minLength: 1, description: 'The bucket points are written to.' },
    precision: {
      type: 'string',
      enum: ['ns', 'us', 'ms', 's'],
      default: 'ms',
      description: 'The precision of point timestamps.',
    },
    defaultTags: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Tags added to every point written through writeApi().',
    },
    flushIntervalMs: {
      type: 'integer',
      minimum: 100,
      maximum: 600_000,
      default: 1_000,
      description: 'Milliseconds between automatic flushes of buffered points.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: 10_000,
      description: 'Milliseconds a request may take before it counts as failed.',
    },
  },
  required: ['url', 'token', 'org', 'bucket'],
  additionalProperties: false,
};
