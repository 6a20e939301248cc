/**
 * The configuration of the Redis service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/**
 * A validated configuration of the Redis service, schema defaults applied. Give either `url`, or `host`
 * (with `port`, `username`, `password`, `db` and `tls` as needed), not both.
 */
export type RedisConfig = {
  /** A `redis://` or `rediss://` (TLS) URL: `redis://user:password@host:6379/0`. A secret. */
  readonly url?: string;
  /** The server's host name or address. */
  readonly host?: string;
  /** The server's port (6379 when unset). */
  readonly port?: number;
  /** The ACL user (Redis 6+, Valkey); the `default` user when unset. */
  readonly username?: string;
  /** The password (`requirepass` or the ACL user's). A secret. */
  readonly password?: string;
  /** The logical database (0 when unset). */
  readonly db?: number;
  /** Whether to connect with TLS (false when unset). */
  readonly tls?: boolean;
  /** PEM certificate(s) of the authority that signed the server's TLS certificate. */
  readonly tlsCa?: string;
  /** Milliseconds to open the connection before it counts as failed (default 5 000). */
  readonly connectTimeoutMs: number;
  /** Milliseconds any command may take before it fails; unset means no limit. */
  readonly commandTimeoutMs?: number;
  /** A prefix ioredis adds to every key of the bot's commands (`bot:`). */
  readonly keyPrefix?: string;
};

/** The JSON Schema (2020-12) of {@link RedisConfig}. */
export const REDIS_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      pattern: '^rediss?://',
      'x-secret': true,
      description:
        'A redis:// or rediss:// (TLS) URL such as redis://user:password@host:6379/0; instead of host, port, username, password, db and tls.',
    },
    host: { type: 'string', minLength: 1, description: "The server's host name or address." },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65_535,
      description: "The server's port (6379 when unset).",
    },
    username: {
      type: 'string',
      minLength: 1,
      description: 'The ACL user (Redis 6+, Valkey); the default user when unset.',
    },
    password: {
      type: 'string',
      'x-secret': true,
      description: "The password (requirepass, or the ACL user's).",
    },
    db: { type: 'integer', minimum: 0, maximum: 65_535, description: 'The logical database (0 when unset).' },
    tls: { type: 'boolean', description: 'Connect with TLS (false when unset).' },
    tlsCa: {
      type: 'string',
      pattern: '-----BEGIN CERTIFICATE-----',
      description: "PEM certificate(s) of the authority that signed the server's TLS certificate.",
    },
    connectTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: 5_000,
      description: 'Milliseconds to open the connection before it counts as failed.',
    },
    commandTimeoutMs: {
      type: 'integer',
      minimum: 1,
      maximum: 3_600_000,
      description:
        'Milliseconds any command may take before it fails (blocking commands included); unset: no limit.',
    },
    keyPrefix: {
      type: 'string',
      minLength: 1,
      maxLength: 256,
      description: "A prefix added to every key of the bot's commands, such as bot:.",
    },
  },
  anyOf: [{ required: ['url'] }, { required: ['host'] }],
  additionalProperties: false,
};
