/**
 * Network failures in words an operator understands: each error of node:http, node:net, DNS and TLS
 * becomes a kind and a short message, and for HTTP requests an {@link HttpEndpointError}.
 */

/** Why a request to the endpoint failed. */
export type HttpFailureKind =
  | 'timeout'
  | 'aborted'
  | 'connection-refused'
  | 'connection-reset'
  | 'dns'
  | 'tls'
  | 'network';

/** A request to the endpoint failed before a response arrived. */
export class HttpEndpointError extends Error {
  /** What went wrong, for code that reacts to it (retry on `timeout`, alert on `tls`…). */
  public readonly kind: HttpFailureKind;
  /** The system or OpenSSL error code, when there is one (`ECONNREFUSED`, `CERT_HAS_EXPIRED`…). */
  public readonly code: string | undefined;

  public constructor(
    kind: HttpFailureKind,
    message: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'HttpEndpointError';
    this.kind = kind;
    this.code = options.code;
  }
}

/** The fields Node sets on network errors (`SystemError`, OpenSSL errors). */
interface NetworkErrorFields {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const CERTIFICATE_CODE =
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT|DECODE)|HOSTNAME_MISMATCH|INVALID_CA|CHAIN_TOO_LONG|PATH_LENGTH/;

function defaultPort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

/** A network failure in words: what kind, the message, and the system error code. */
export interface NetworkFailure {
  readonly kind: HttpFailureKind;
  readonly message: string;
  readonly code: string | undefined;
}

/**
 * Describes a network error of node:net, node:tls, DNS or a client library built on them, in the words an
 * operator reads in a health message ("connection refused by 127.0.0.1:6379"). Returns undefined when the
 * error carries no network error code, so the caller can describe it itself.
 *
 * @param error - the thrown value; its `cause` chain is searched for the first error with a code.
 * @param where - `host:port` of the server, used when the error does not name the address itself.
 */
export function describeNetworkError(error: unknown, where: string): NetworkFailure | undefined {
  const fields = networkFields(error);
  if (!fields) return undefined;
  const code = fields.code as string;
  const text = typeof fields.message === 'string' ? fields.message : String(error);
  // OpenSSL messages read `… error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…`.
  const openssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(text)?.[1];
  const reason = typeof fields.reason === 'string' ? fields.reason : (openssl ?? text);
  const at =
    typeof fields.address === 'string' && typeof fields.port === 'number'
      ? `${fields.address}:${fields.port}`
      : where;
  const failure = (kind: HttpFailureKind, message: string): NetworkFailure => ({ kind, message, code });
  if (code === 'ECONNREFUSED') return failure('connection-refused', `connection refused by ${at}`);
  if (DNS_CODES.has(code)) {
    const host = typeof fields.hostname === 'string' ? fields.hostname : at.replace(/:\d+$/, '');
    const why = code === 'ENOTFOUND' ? 'no such host' : 'the DNS server did not answer';
    return failure('dns', `DNS lookup failed for ${host}: ${why} (${code})`);
  }
  if (CERTIFICATE_CODE.test(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return failure('tls', `invalid TLS certificate from ${at}: ${reason} (${code})`);
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || (code === 'EPROTO' && openssl)) {
    return failure('tls', `TLS handshake with ${at} failed: ${reason} (${code})`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return failure('connection-reset', `connection closed by ${at} before a complete response`);
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return failure('timeout', `connecting to ${at} timed out (${code})`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return failure('network', `${at} is unreachable from this host (${code})`);
  }
  if (/^E[A-Z]+$/.test(code)) return failure('network', `connection to ${at} failed: ${text} (${code})`);
  return undefined;
}

/** The first error in the `cause` chain (or an AggregateError's errors) that carries a string code. */
function networkFields(error: unknown, depth = 0): NetworkErrorFields | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const fields = error as NetworkErrorFields & { cause?: unknown; errors?: unknown };
  if (
    typeof fields.code === 'string' &&
    /^(E[A-Z]+|ERR_(SSL|TLS)_|UND_ERR_CONNECT)|CERT|SELF_SIGNED|UNABLE_TO_|HOSTNAME_MISMATCH/.test(
      fields.code,
    )
  ) {
    return fields;
  }
  if (Array.isArray(fields.errors)) {
    for (const inner of fields.errors) {
      const found = networkFields(inner, depth + 1);
      if (found) return found;
    }
  }
  return networkFields(fields.cause, depth + 1);
}

/**
 * Turns whatever a request threw into an {@link HttpEndpointError} naming the endpoint.
 *
 * @param error - the thrown value (an `HttpEndpointError` is returned as is).
 * @param url - the URL that was requested, for the host and port in the message.
 */
export function toEndpointError(error: unknown, url: URL): HttpEndpointError {
  if (error instanceof HttpEndpointError) return error;
  const where = `${url.hostname}:${defaultPort(url)}`;
  const failure = describeNetworkError(error, where);
  const code = failure?.code;
  const options = { cause: error, ...(code === undefined ? {} : { code }) };
  if (failure) return new HttpEndpointError(failure.kind, failure.message, options);
  const fields = (typeof error === 'object' && error !== null ? error : {}) as NetworkErrorFields;
  const text = typeof fields.message === 'string' ? fields.message : String(error);
  const own = typeof fields.code === 'string' ? fields.code : undefined;
  return new HttpEndpointError('network', `request to ${where} failed: ${text}${own ? ` (${own})` : ''}`, {
    cause: error,
    ...(own === undefined ? {} : { code: own }),
  });
}
