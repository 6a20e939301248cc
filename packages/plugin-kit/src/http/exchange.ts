/**
 * One HTTP exchange over node:http or node:https: send a request, receive the status, headers and body,
 * and stop at once, releasing the socket, when the signal aborts.
 */
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';

/** What to send. */
export interface ExchangeRequest {
  readonly method: string;
  /** Header names (lower case) and values. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** The agent whose connections to use. */
  readonly agent: http.Agent;
  /** Whether to keep the response body; when false it is read and discarded. */
  readonly keepBody: boolean;
}

/** What came back. */
export interface ExchangeResult {
  readonly status: number;
  /** The reason phrase sent by the server, or the standard one for the status. */
  readonly statusText: string;
  /** Header names and values, alternating, as received. */
  readonly rawHeaders: readonly string[];
  /** The body (empty when it was discarded). */
  readonly body: Buffer;
  /** Milliseconds from sending the request to receiving the response headers. */
  readonly latencyMs: number;
}

/** An error shaped like Node's, for a response cut off before its end. */
function cutOff(): Error {
  return Object.assign(new Error('the connection closed before the response was complete'), {
    code: 'ECONNRESET',
  });
}

/** Methods that may be sent twice without harm (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** An error that marks a kept-alive connection the server had already closed. */
class StaleConnection extends Error {
  public constructor(public readonly original: unknown) {
    super('the kept-alive connection was closed by the server');
  }
}

/**
 * Sends one request. Rejects with `signal.reason` as soon as the signal aborts, after destroying the
 * request and its socket; rejects with Node's error (`ECONNREFUSED`, `ENOTFOUND`, TLS codes…) otherwise.
 *
 * An idempotent request sent on a kept-alive connection that the server had closed meanwhile (after a
 * restart, or its idle timeout) is sent once more on a new connection, as browsers do, instead of failing
 * with a reset.
 */
export async function exchange(
  url: URL,
  request: ExchangeRequest,
  signal: AbortSignal,
): Promise<ExchangeResult> {
  try {
    return await exchangeOnce(url, request, signal);
  } catch (error) {
    if (!(error instanceof StaleConnection)) throw error;
    try {
      return await exchangeOnce(url, request, signal);
    } catch (again) {
      throw again instanceof StaleConnection ? again.original : again;
    }
  }
}

function exchangeOnce(url: URL, request: ExchangeRequest, signal: AbortSignal): Promise<ExchangeResult> {
  return new Promise<ExchangeResult>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const started = performance.now();
    let done = false;
    const settle = (finish: () => void): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      finish();
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    const req = send(
      url,
      { method: request.method, headers: request.headers, agent: request.agent },
      (res) => {
        const status = res.statusCode ?? 0;
        const head = {
          status,
          statusText: res.statusMessage || STATUS_CODES[status] || '',
          rawHeaders: res.rawHeaders,
          latencyMs: Math.round(performance.now() - started),
        };
        const chunks: Buffer[] = [];
        if (request.keepBody) res.on('data', (chunk: Buffer) => chunks.push(chunk));
        else res.resume();
        res.on('end', () => settle(() => resolve({ ...head, body: Buffer.concat(chunks) })));
        res.on('error', (error) => settle(() => reject(error)));
        res.on('close', () => settle(() => reject(cutOff())));
      },
    );
    const onAbort = (): void => {
      req.destroy();
      settle(() => reject(signal.reason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let responded = false;
    req.on('response', () => {
      responded = true;
    });
    req.on('error', (error) => {
      const code = (error as { code?: unknown }).code;
      const stale =
        !responded &&
        req.reusedSocket &&
        (code === 'ECONNRESET' || code === 'EPIPE') &&
        IDEMPOTENT.has(request.method.toUpperCase());
      settle(() => reject(stale ? new StaleConnection(error) : error));
    });
    req.end(request.body);
  });
}
