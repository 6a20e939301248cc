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

/**
 * Sends one request. Rejects with `signal.reason` as soon as the signal aborts, after destroying the
 * request and its socket; rejects with Node's error (`ECONNREFUSED`, `ENOTFOUND`, TLS codes…) otherwise.
 */
export function exchange(url: URL, request: ExchangeRequest, signal: AbortSignal): Promise<ExchangeResult> {
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
    req.on('error', (error) => settle(() => reject(error)));
    req.end(request.body);
  });
}
