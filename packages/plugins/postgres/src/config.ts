/**
 * The configuration of the PostgreSQL service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** How the connection is encrypted, as libpq's `sslmode` (without `allow` and `prefer`). */
export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/**
 * A validated configuration of the PostgreSQL service, schema defaults applied. Give either `url`, or
 * `host` and `database` (with `port`, `user` and `password` as needed), not both.
 */
export type PostgresConfig = {
  /** A `postgres://user:password@host:port/database` connection string. A secret: it may hold a password. */
  readonly url?: string;
  /** The server's host name or address. */
  readonly host?: string;
  /** The server's port (5432 when unset). */
  readonly port?: number;
  /** The database to connect to. */
  readonly database?: string;
  /** The role to log in as (the operating-system user name when unset, as libpq does). */
  readonly user?: string;
  /** The role's password. A secret. */
  readonly password?: string;
  /** Encryption of the connection (`disable` when unset, unless the url has an `sslmode`). */
  readonly sslMode?: PostgresSslMode;
  /** PEM certificate(s) of the authority that signed the server's certificate (for `verify-*`). */
  readonly sslCa?: string;
  /** The most connections the pool opens (default 10). */
  readonly max: number;
  /** Milliseconds an idle connection stays open before the pool closes it; 0 keeps it (default 10 000). */
  readonly idleTimeoutMs: number;
  /** Milliseconds to open a connection, or to wait for a free one in a full pool (default 5 000). */
  readonly connectionTimeoutMs: number;
  /** Milliseconds a statement may run before the server cancels it; unset or 0 means no limit. */
  readonly statementTimeoutMs?: number;
  /** The `application_name` the server shows for the pool's connections (default `servicedeck`). */
  readonly applicationName: string;
  /** Milliseconds `disable` waits for borrowed connections to come back before closing them (default 5 000). */
  readonly closeTimeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link PostgresConfig}. */
export const POSTGRES_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      pattern: '^postgres(ql)?://',
      'x-secret': true,
      description:
        'A postgres://user:password@host:port/database connection string; instead of host, port, database, user and password.',
    },
    host: { type: 'string', minLength: 1, description: "The server's host name or address." },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65_535,
      description: "The server's port (5432 when unset).",
    },
    database: { type: 'string', minLength: 1, description: 'The database to connect to.' },
    user: {
      type: 'string',
      minLength: 1,
      description: 'The role to log in as (the operating-system user name when unset).',
    },
    password: { type: 'string', 'x-secret': true, description: "The role's password." },
    sslMode: {
      type: 'string',
      enum: ['disable', 'require', 'verify-ca', 'verify-full'],
      description:
        'disable: plain connection; require: encrypted, certificate not checked; verify-ca: certificate checked; verify-full: certificate and host name checked.',
    },
    sslCa: {
      type: 'string',
      pattern: '-----BEGIN CERTIFICATE-----',
      description: "PEM certificate(s) of the authority that signed the server's certificate.",
    },
    max: {
      type: 'integer',
      minimum: 1,
      maximum: 1_000,
      default: 10,
      description: 'The most connections the pool opens.',
    },
    idleTimeoutMs: {
      type: 'integer',
      minimum: 0,
      maximum: 86_400_000,
      default: 10_000,
      description: 'Milliseconds an idle connection stays open before the pool closes it; 0 keeps it.',
    },
    connectionTimeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: 5_000,
      description: 'Milliseconds to open a connection, or to wait for a free one when the pool is full.',
    },
    statementTimeoutMs: {
      type: 'integer',
      minimum: 0,
      maximum: 2_147_483_647,
      description: 'Milliseconds a statement may run before the server cancels it; 0 means no limit.',
    },
    applicationName: {
      type: 'string',
      maxLength: 63,
      default: 'servicedeck',
      description: 'The application_name the server shows for the connections (pg_stat_activity).',
    },
    closeTimeoutMs: {
      type: 'integer',
      minimum: 0,
      maximum: 60_000,
      default: 5_000,
      description: 'Milliseconds disable waits for borrowed connections to be released before closing them.',
    },
  },
  anyOf: [{ required: ['url'] }, { required: ['host', 'database'] }],
  additionalProperties: false,
};
