/**
 * PostgreSQL failures in words an operator understands: the server's SQLSTATE codes that matter for a
 * bot (authentication, missing database, too many connections, shutdown, statement timeout), pg's own
 * connection errors, and network and TLS errors.
 */
import { describeNetworkError } from '@servicedeck/plugin-kit';

/** What kind of failure a PostgreSQL error is, for code that reacts to it. */
export type PostgresFailureKind =
  | 'authentication'
  | 'database-missing'
  | 'too-many-connections'
  | 'shutdown'
  | 'connection-lost'
  | 'timeout'
  | 'pool-exhausted'
  | 'connection-refused'
  | 'tls'
  | 'network'
  | 'query';

/** A failure in words: its kind, the message and the SQLSTATE or system code. */
export interface PostgresFailure {
  readonly kind: PostgresFailureKind;
  readonly message: string;
  readonly code: string | undefined;
}

/** Where the failure happened, to name it in the message. */
export interface PostgresFailureContext {
  /** `host:port` of the server. */
  readonly where: string;
  /** The connection timeout in force, to say how long was waited. */
  readonly connectionTimeoutMs?: number;
}

/** The fields of pg's `DatabaseError` (an ErrorResponse of the server). */
interface ServerErrorFields {
  readonly code: string;
  readonly message: string;
  readonly severity?: unknown;
}

function serverError(error: unknown): ServerErrorFields | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)
    ? (error as unknown as ServerErrorFields)
    : undefined;
}

function describeServerError({ code, message }: ServerErrorFields): PostgresFailure {
  const failure = (kind: PostgresFailureKind, text: string): PostgresFailure => ({
    kind,
    message: `${text} (${code})`,
    code,
  });
  const user = /for user "([^"]*)"/.exec(message)?.[1];
  switch (code) {
    case '28P01':
      return failure(
        'authentication',
        `authentication failed${user === undefined ? '' : ` for user "${user}"`}`,
      );
    case '28000':
      return failure('authentication', `authentication failed: ${message}`);
    case '3D000':
      return failure('database-missing', message);
    case '53300':
      return failure('too-many-connections', `too many connections: ${message}`);
    case '57P01':
      return failure(
        'shutdown',
        'connection terminated by the server: it is shutting down or an administrator ended it',
      );
    case '57P02':
      return failure('shutdown', 'connection terminated: the server crashed and is restarting');
    case '57P03':
      return failure('shutdown', `the server is not accepting connections: ${message}`);
    case '57014':
      return failure(
        'timeout',
        message.includes('statement timeout')
          ? 'query canceled: statement timeout'
          : `query canceled: ${message}`,
      );
    case '42501':
      return failure('query', `permission denied: ${message}`);
    default:
      return failure('query', message);
  }
}

/**
 * Describes what pg threw (or emitted) in words: `authentication failed for user "bot" (28P01)`,
 * `database "x" does not exist (3D000)`, `connection refused by 127.0.0.1:5432`, `too many connections: …
 * (53300)`, `connection terminated by the server: … (57P01)`, `connecting to 127.0.0.1:5432 timed out after
 * 5000 ms`.
 *
 * @param error - an error of pg, pg-pool, node:net or node:tls.
 * @param context - where the server is, and the connection timeout in force.
 */
export function describePostgresError(error: unknown, context: PostgresFailureContext): PostgresFailure {
  const server = serverError(error);
  if (server) return describeServerError(server);
  const { where } = context;
  const text = error instanceof Error ? error.message : String(error);
  const after = context.connectionTimeoutMs === undefined ? '' : ` after ${context.connectionTimeoutMs} ms`;
  if (text === 'Connection terminated due to connection timeout') {
    return { kind: 'timeout', message: `connecting to ${where} timed out${after}`, code: undefined };
  }
  if (text === 'timeout exceeded when trying to connect') {
    return {
      kind: 'pool-exhausted',
      message: `no free connection in the pool${after}: every connection is in use`,
      code: undefined,
    };
  }
  if (text === 'Connection terminated unexpectedly') {
    return {
      kind: 'connection-lost',
      message: `connection to ${where} closed unexpectedly (server restarted, or the network dropped it)`,
      code: undefined,
    };
  }
  if (text === 'The server does not support SSL connections') {
    return {
      kind: 'tls',
      message: `${where} does not support SSL connections; set sslMode to disable`,
      code: undefined,
    };
  }
  if (text === 'Cannot use a pool after calling end on the pool' || text === 'Connection terminated') {
    return {
      kind: 'connection-lost',
      message: 'the pool was closed (the service was disabled or reconfigured)',
      code: undefined,
    };
  }
  const network = describeNetworkError(error, where);
  if (network) {
    const kind: PostgresFailureKind =
      network.kind === 'connection-refused'
        ? 'connection-refused'
        : network.kind === 'tls'
          ? 'tls'
          : network.kind === 'timeout'
            ? 'timeout'
            : 'network';
    return { kind, message: network.message, code: network.code };
  }
  return { kind: 'network', message: `${where}: ${text}`, code: undefined };
}
