/**
 * Redis and Valkey failures in words an operator understands: the server's error replies that matter for
 * a bot (authentication, a dataset still loading, a read-only replica, memory full), ioredis's own
 * errors, and network and TLS errors.
 */
import { describeNetworkError } from '@servicedeck/plugin-kit';

/** What kind of failure a Redis error is, for code that reacts to it. */
export type RedisFailureKind =
  | 'authentication'
  | 'permission'
  | 'loading'
  | 'readonly'
  | 'out-of-memory'
  | 'busy'
  | 'timeout'
  | 'connection-refused'
  | 'connection-lost'
  | 'tls'
  | 'network'
  | 'server';

/** A failure in words: its kind, the message and the error reply's prefix or the system code. */
export interface RedisFailure {
  readonly kind: RedisFailureKind;
  readonly message: string;
  readonly code: string | undefined;
}

/** Where the failure happened, to name it in the message. */
export interface RedisFailureContext {
  /** `host:port` of the server. */
  readonly where: string;
  /** The command timeout in force, to say how long was waited. */
  readonly commandTimeoutMs?: number;
}

/** The words of the error replies a bot meets, by their prefix. */
const REPLIES: Readonly<Record<string, readonly [RedisFailureKind, string]>> = {
  WRONGPASS: ['authentication', 'authentication failed: wrong username or password'],
  NOAUTH: ['authentication', 'authentication failed: the server requires a password'],
  NOPERM: ['permission', 'permission denied'],
  LOADING: ['loading', 'the server is loading its dataset into memory'],
  READONLY: ['readonly', 'the server is a read-only replica'],
  OOM: ['out-of-memory', 'out of memory: the server reached its maxmemory'],
  BUSY: ['busy', 'the server is busy running a script'],
  MASTERDOWN: ['readonly', 'the replica has lost its link to the master'],
  MISCONF: ['server', 'the server cannot save to disk and refuses writes'],
};

/**
 * Describes what ioredis threw (or emitted) in words: `authentication failed: wrong username or password
 * (WRONGPASS)`, `the server is loading its dataset into memory (LOADING)`, `the server is a read-only
 * replica (READONLY)`, `connection refused by 127.0.0.1:6379`, `no reply from 127.0.0.1:6379 within 500 ms`.
 *
 * @param error - an error of ioredis (a `ReplyError`), node:net or node:tls.
 * @param context - where the server is, and the command timeout in force.
 */
export function describeRedisError(error: unknown, context: RedisFailureContext): RedisFailure {
  const { where } = context;
  const text = error instanceof Error ? error.message : String(error);
  // ioredis prefixes the reply to its connection-time INFO with "Ready check failed: ".
  const isReply =
    (error instanceof Error && error.name === 'ReplyError') || text.startsWith('Ready check failed: ');
  const reply = isReply ? /^(?:Ready check failed: )?([A-Z]{2,})(?: (.*))?$/s.exec(text) : null;
  if (reply) {
    const [, prefix = '', rest = ''] = reply;
    const known = REPLIES[prefix];
    if (known) {
      const [kind, words] = known;
      return {
        kind,
        message: kind === 'permission' ? `${words}: ${rest} (${prefix})` : `${words} (${prefix})`,
        code: prefix,
      };
    }
    if (prefix === 'ERR' && /invalid (username-)?password/i.test(rest)) {
      return { kind: 'authentication', message: 'authentication failed: wrong password (ERR)', code: prefix };
    }
    const words = prefix === 'ERR' ? `server error: ${rest}` : rest || 'server error';
    return { kind: 'server', message: `${words} (${prefix})`, code: prefix };
  }
  if (text === 'Command timed out') {
    const within = context.commandTimeoutMs === undefined ? '' : ` within ${context.commandTimeoutMs} ms`;
    return {
      kind: 'timeout',
      message: `no reply from ${where}${within} (commandTimeoutMs)`,
      code: undefined,
    };
  }
  if (text === 'Connection is closed.') {
    return { kind: 'connection-lost', message: `the connection to ${where} is closed`, code: undefined };
  }
  if (error instanceof Error && error.name === 'MaxRetriesPerRequestError') {
    return {
      kind: 'connection-lost',
      message: `gave up after the reconnection attempts allowed per command: ${where} is unreachable`,
      code: undefined,
    };
  }
  const network = describeNetworkError(error, where);
  if (network) {
    const kind: RedisFailureKind =
      network.kind === 'connection-refused'
        ? 'connection-refused'
        : network.kind === 'tls'
          ? 'tls'
          : network.kind === 'timeout'
            ? 'timeout'
            : network.kind === 'connection-reset'
              ? 'connection-lost'
              : 'network';
    return { kind, message: network.message, code: network.code };
  }
  return { kind: 'network', message: `${where}: ${text}`, code: undefined };
}
