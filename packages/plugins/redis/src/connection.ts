/**
 * The ioredis options a configuration describes: the URL or the separate settings, read once into one
 * options object, with the mistakes ioredis would silently accept refused in words.
 */
import { hostPort } from '@servicedeck/plugin-kit';
import type { RedisOptions } from 'ioredis';
import type { RedisConfig } from './config.js';

/** What a client connects to, and the options ioredis needs for it. */
export interface RedisTarget {
  /** `host:port` of the server, for messages. */
  readonly where: string;
  /** The options of `new Redis()`. */
  readonly options: RedisOptions;
}

const DEFAULT_PORT = 6379;
const SEPARATE_KEYS = ['host', 'port', 'username', 'password', 'db', 'tls'] as const;
/** How long a closing connection may take to close before its socket is destroyed. */
export const DISCONNECT_TIMEOUT_MS = 300;

interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly db: number;
  readonly tls: boolean;
}

/** Reads the url form. Error messages never quote the url: it may hold a password. */
function fromUrl(url: string): Endpoint {
  const expected = 'expected redis://user:password@host:6379/0 (or rediss:// for TLS)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`url is not a valid Redis URL; ${expected}`);
  }
  const host = decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`url names no host; ${expected}`);
  const [key] = parsed.searchParams.keys();
  if (key !== undefined) {
    throw new Error(
      `url parameter "${key}" is not supported; use the settings (connectTimeoutMs, keyPrefix…) instead`,
    );
  }
  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path))
    throw new Error(`url path must be a database number; ${expected}`);
  return {
    host,
    port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: path === '' ? 0 : Number(path),
    tls: parsed.protocol === 'rediss:',
  };
}

/**
 * Turns a validated configuration into ioredis options: connect at once, reconnect by itself, close a
 * socket that does not close within {@link DISCONNECT_TIMEOUT_MS}.
 *
 * @throws Error in words when the configuration mixes both forms or the url cannot be used.
 */
export function toTarget(config: RedisConfig): RedisTarget {
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
    if (config.host === undefined) throw new Error('not configured: url or host is required');
    endpoint = {
      host: config.host,
      port: config.port ?? DEFAULT_PORT,
      username: config.username,
      password: config.password,
      db: config.db ?? 0,
      tls: config.tls ?? false,
    };
  }
  if (config.tlsCa !== undefined && !endpoint.tls) {
    throw new Error('tlsCa is set but TLS is off; set tls to true or use a rediss:// url');
  }
  const options: RedisOptions = {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    connectTimeout: config.connectTimeoutMs,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    ...(endpoint.username === undefined ? {} : { username: endpoint.username }),
    ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
    ...(endpoint.tls ? { tls: config.tlsCa === undefined ? {} : { ca: config.tlsCa } } : {}),
    ...(config.commandTimeoutMs === undefined ? {} : { commandTimeout: config.commandTimeoutMs }),
    ...(config.keyPrefix === undefined ? {} : { keyPrefix: config.keyPrefix }),
  };
  return { where: hostPort(endpoint.host, endpoint.port), options };
}
