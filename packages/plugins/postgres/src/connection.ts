/**
 * The pool settings a configuration describes: the connection string or the separate settings turned into
 * pg's options, with the mistakes pg would silently accept (both forms at once, an unknown url parameter,
 * a CA certificate without verification) refused in words.
 */
import type { ConnectionOptions } from 'node:tls';
import { hostPort } from '@servicedeck/plugin-kit';
import type { PoolConfig } from 'pg';
import type { PostgresConfig, PostgresSslMode } from './config.js';

/** What a pool connects to, and the options pg needs for it. */
export interface PostgresTarget {
  /** `host:port` of the server, for messages. */
  readonly where: string;
  /** The database name, for messages. */
  readonly database: string;
  /** The encryption in use. */
  readonly sslMode: PostgresSslMode;
  /** The options of `new pg.Pool()`. */
  readonly pool: PoolConfig;
}

const DEFAULT_PORT = 5432;
const SEPARATE_KEYS = ['host', 'port', 'database', 'user', 'password'] as const;
const SSL_MODES: readonly PostgresSslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly sslMode: PostgresSslMode | undefined;
}

/** Reads the url form. Error messages never quote the url: it may hold a password. */
function fromUrl(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      'url is not a valid connection string; expected postgres://user:password@host:5432/database',
    );
  }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('url names no host; expected postgres://user:password@host:5432/database');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) {
    throw new Error('url names no database; expected postgres://user:password@host:5432/database');
  }
  let sslMode: PostgresSslMode | undefined;
  for (const [key, value] of parsed.searchParams) {
    if (key !== 'sslmode') {
      throw new Error(
        `url parameter "${key}" is not supported; use the settings (sslMode, sslCa, applicationName, statementTimeoutMs…) instead`,
      );
    }
    if (!SSL_MODES.includes(value as PostgresSslMode)) {
      throw new Error(`url sslmode "${value}" is not supported; use one of ${SSL_MODES.join(', ')}`);
    }
    sslMode = value as PostgresSslMode;
  }
  return {
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    database,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    sslMode,
  };
}

/** pg's `ssl` option for a mode: verification as libpq does it. */
function sslOption(mode: PostgresSslMode, ca: string | undefined): PoolConfig['ssl'] {
  if (mode === 'disable') return false;
  const options: ConnectionOptions = ca === undefined ? {} : { ca };
  // libpq: `require` with a root certificate behaves as `verify-ca`.
  if (mode === 'require' && ca === undefined) return { ...options, rejectUnauthorized: false };
  if (mode === 'verify-full') return { ...options, rejectUnauthorized: true };
  return { ...options, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

/**
 * Turns a validated configuration into pool options.
 *
 * @throws Error in words when the configuration mixes both forms or the url cannot be used.
 */
export function toTarget(config: PostgresConfig): PostgresTarget {
  let endpoint: Endpoint;
  if (config.url !== undefined) {
    const mixed = SEPARATE_KEYS.filter((key) => config[key] !== undefined);
    if (mixed.length > 0) {
      throw new Error(
        `set either url or ${SEPARATE_KEYS.join(', ')}, not both (${mixed.join(', ')} given beside url)`,
      );
    }
    endpoint = fromUrl(config.url);
  } else {
    if (config.host === undefined || config.database === undefined) {
      throw new Error('not configured: url, or host and database, are required');
    }
    endpoint = {
      host: config.host,
      port: config.port ?? DEFAULT_PORT,
      database: config.database,
      user: config.user,
      password: config.password,
      sslMode: undefined,
    };
  }
  const sslMode = config.sslMode ?? endpoint.sslMode ?? 'disable';
  if (config.sslCa !== undefined && sslMode === 'disable') {
    throw new Error('sslCa is set but sslMode is disable; set sslMode to verify-full (or verify-ca)');
  }
  const pool: PoolConfig = {
    host: endpoint.host,
    port: endpoint.port,
    database: endpoint.database,
    ssl: sslOption(sslMode, config.sslCa),
    max: config.max,
    idleTimeoutMillis: config.idleTimeoutMs,
    connectionTimeoutMillis: config.connectionTimeoutMs,
    application_name: config.applicationName,
    ...(endpoint.user === undefined ? {} : { user: endpoint.user }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
    ...(config.statementTimeoutMs ? { statement_timeout: config.statementTimeoutMs } : {}),
  };
  return { where: hostPort(endpoint.host, endpoint.port), database: endpoint.database, sslMode, pool };
}
