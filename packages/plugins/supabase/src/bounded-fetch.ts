/**
 * A `fetch` for supabase-js that belongs to one client: its own kept-alive connection pools, a timeout on
 * every request, and `close()` that aborts what is in flight and closes every socket, so a disabled
 * service leaves nothing behind (the global `fetch` keeps its connections in a process-wide pool).
 */
import {
  EndpointAgents,
  exchange,
  InFlightRequests,
  toEndpointError,
  toResponse,
} from '@servicedeck/plugin-kit';

/** Methods a request may be repeated with when its connection turns out to be closed. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An abort in the form `fetch` rejects with, so supabase-js treats it as one (and does not retry it). */
function abortError(message: string): DOMException {
  return new DOMException(message, 'AbortError');
}

/**
 * `fetch` over node:http with a timeout per request. Network failures reject with an `HttpEndpointError`
 * whose message says what happened ("connection refused by 127.0.0.1:54321", "no response within 10000
 * ms"); an abort by the caller rejects with the caller's reason, and {@link BoundedFetch.close} with an
 * `AbortError`.
 */
export class BoundedFetch {
  private readonly agents = new EndpointAgents();
  private readonly inFlight = new InFlightRequests();
  private closed = false;

  /**
   * @param timeoutMs - milliseconds each request may take, connection and body included.
   */
  public constructor(private readonly timeoutMs: number) {}

  /** How many requests are in flight. */
  public get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether {@link BoundedFetch.close} was called. */
  public get isClosed(): boolean {
    return this.closed;
  }

  /** The `fetch` function to hand to supabase-js (`global.fetch`). */
  public readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.closed) throw abortError('request refused: the Supabase client is closed');
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (callerSignal?.aborted) throw callerSignal.reason;
    // A Request normalises every way of giving a URL, headers and body (FormData, Blob, streams…).
    const request = new Request(input, {
      ...init,
      signal: null,
      ...(init?.body == null ? {} : { duplex: 'half' }),
    } as RequestInit);
    const url = new URL(request.url);
    const method = request.method;
    const body = request.body === null ? undefined : new Uint8Array(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const send = () =>
      this.inFlight.run(
        this.timeoutMs,
        (signal) =>
          exchange(
            url,
            { method, headers, agent: this.agents.for(url), keepBody: true, ...(body ? { body } : {}) },
            signal,
          ),
        callerSignal ?? undefined,
      );
    try {
      try {
        return toResponse(await send(), method);
      } catch (error) {
        // A kept-alive connection the server closed while it sat idle fails at once: a request that is
        // safe to repeat is sent once more, on a new connection.
        const reset = toEndpointError(error, url).kind === 'connection-reset';
        if (!reset || !IDEMPOTENT.has(method) || callerSignal?.aborted || this.closed) throw error;
        return toResponse(await send(), method);
      }
    } catch (error) {
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (error instanceof DOMException) throw error;
      throw toEndpointError(error, url);
    }
  };

  /**
   * Aborts every request in flight (they reject with an `AbortError`), closes every connection and
   * refuses further requests. Safe to call twice.
   */
  public async close(reason = 'request aborted: the Supabase client was closed'): Promise<void> {
    this.closed = true;
    await this.inFlight.abortAll(abortError(reason));
    this.agents.destroy();
  }
}
