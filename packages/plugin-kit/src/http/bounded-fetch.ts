/**
 * A `fetch` for an SDK that accepts one (supabase-js, Octokit…) and belongs to one client: its own
 * kept-alive connection pools, a timeout on every request, and `close()` that aborts what is in flight and
 * closes every socket, so a disabled service leaves nothing behind (the global `fetch` keeps its
 * connections in a process-wide pool).
 */
import { EndpointAgents } from './agents.js';
import { toEndpointError } from './errors.js';
import { exchange } from './exchange.js';
import { InFlightRequests } from './in-flight.js';
import { toResponse } from './response.js';

/** An abort in the form `fetch` rejects with, so SDKs treat it as one (and do not retry it). */
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
   * @param label - what the client is called in refusals ("request refused: the GitHub client is closed").
   */
  public constructor(
    private readonly timeoutMs: number,
    private readonly label = 'client',
  ) {}

  /** How many requests are in flight. */
  public get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether {@link BoundedFetch.close} was called. */
  public get isClosed(): boolean {
    return this.closed;
  }

  /** The `fetch` function to hand to the SDK. */
  public readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.closed) throw abortError(`request refused: the ${this.label} is closed`);
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
      // exchange() sends an idempotent request once more when its kept-alive connection was stale.
      return toResponse(await send(), method);
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
  public async close(reason = `request aborted: the ${this.label} was closed`): Promise<void> {
    this.closed = true;
    await this.inFlight.abortAll(abortError(reason));
    this.agents.destroy();
  }
}
