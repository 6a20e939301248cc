/** Turns a buffered exchange into a standard fetch `Response` for the bot's code. */
import type { ExchangeResult } from './exchange.js';

/** Statuses whose response has no body (the `Response` constructor refuses one). */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * A `Response` with the exchange's status, headers and body. Its `url` is empty: the `Response`
 * constructor cannot set it.
 *
 * @throws RangeError for a status outside 200–599, which a `Response` cannot carry.
 */
export function toResponse(result: ExchangeResult, method: string): Response {
  const headers = headersOf(result.rawHeaders);
  const empty = method === 'HEAD' || NULL_BODY_STATUSES.has(result.status) || result.body.length === 0;
  return new Response(empty ? null : result.body, {
    status: result.status,
    statusText: result.statusText,
    headers,
  });
}

/** Headers from Node's alternating raw header names and values. */
export function headersOf(rawHeaders: readonly string[]): Headers {
  const headers = new Headers();
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    headers.append(rawHeaders[index] as string, rawHeaders[index + 1] as string);
  }
  return headers;
}
