/**
 * Request failures in words an operator understands: each network error of node:http, node:net, DNS and
 * TLS becomes an {@link HttpEndpointError} with a kind and a short message.
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

/**
 * Turns whatever a request threw into an {@link HttpEndpointError} naming the endpoint.
 *
 * @param error - the thrown value (an `HttpEndpointError` is returned as is).
 * @param url - the URL that was requested, for the host and port in the message.
 */
export function toEndpointError(error: unknown, url: URL): HttpEndpointError {
  if (error instanceof HttpEndpointError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as NetworkErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const text = typeof fields.message === 'string' ? fields.message : String(error);
  // OpenSSL messages read `… error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…`.
  const openssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(text)?.[1];
  const reason = typeof fields.reason === 'string' ? fields.reason : (openssl ?? text);
  const where =
    typeof fields.address === 'string' && typeof fields.port === 'number'
      ? `${fields.address}:${fields.port}`
      : `${url.hostname}:${defaultPort(url)}`;
  const options = { cause: error, ...(code === undefined ? {} : { code }) };
  if (code === 'ECONNREFUSED')
    return new HttpEndpointError('connection-refused', `connection refused by ${where}`, options);
  if (code !== undefined && DNS_CODES.has(code)) {
    const host = typeof fields.hostname === 'string' ? fields.hostname : url.hostname;
    const why = code === 'ENOTFOUND' ? 'no such host' : 'the DNS server did not answer';
    return new HttpEndpointError('dns', `DNS lookup failed for ${host}: ${why} (${code})`, options);
  }
  if (code !== undefined && (CERTIFICATE_CODE.test(code) || code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    return new HttpEndpointError(
      'tls',
      `invalid TLS certificate from ${where}: ${reason} (${code})`,
      options,
    );
  }
  if (
    code?.startsWith('ERR_SSL_') ||
    code?.startsWith('ERR_TLS_') ||
    (code === 'EPROTO' && openssl !== undefined)
  ) {
    return new HttpEndpointError('tls', `TLS handshake with ${where} failed: ${reason} (${code})`, options);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new HttpEndpointError(
      'connection-reset',
      `connection closed by ${where} before a complete response`,
      options,
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new HttpEndpointError('network', `${where} is unreachable from this host (${code})`, options);
  }
  return new HttpEndpointError(
    'network',
    `request to ${where} failed: ${text}${code ? ` (${code})` : ''}`,
    options,
  );
}
