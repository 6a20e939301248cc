/**
 * GitHub's answers in words: rate limits from its headers and `/rate_limit`, and what a failed request
 * means ("authentication failed: bad credentials", "rate limit exhausted (0/5000), resets 14:05").
 */
import { describeHttpStatus, formatClock, HttpEndpointError } from '@servicedeck/plugin-kit';

/** One resource of `GET /rate_limit` (`resources.core`). */
export interface RateLimit {
  readonly limit: number;
  readonly remaining: number;
  readonly used: number;
  /** Epoch seconds. */
  readonly reset: number;
}

/** `4870/5000 left, resets 14:05`. */
export function describeQuota(rate: RateLimit, now = new Date()): string {
  return `${rate.remaining}/${rate.limit} left, resets ${formatClock(new Date(rate.reset * 1000), now)}`;
}

/** The fields of an Octokit `RequestError`. */
interface RequestErrorFields {
  readonly status?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly response?: { readonly headers?: Record<string, string | undefined>; readonly data?: unknown };
  readonly request?: { readonly url?: unknown; readonly method?: unknown };
}

/** GitHub's own message in an error body (`{"message":"Bad credentials"}`). */
function githubMessage(data: unknown): string | undefined {
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { message?: unknown }).message === 'string'
  ) {
    return (data as { message: string }).message;
  }
  return undefined;
}

/**
 * Words for what Octokit threw: network failures as the kit words them, authentication and rate limits as
 * GitHub means them, anything else with GitHub's own message.
 */
export function describeGitHubError(error: unknown, now = new Date()): string {
  if (error instanceof HttpEndpointError) return error.message;
  if (typeof error !== 'object' || error === null) return String(error);
  const fields = error as RequestErrorFields;
  if (fields.cause instanceof HttpEndpointError) return fields.cause.message;
  if (error instanceof DOMException && error.name === 'AbortError') return error.message;
  const status = typeof fields.status === 'number' ? fields.status : undefined;
  const headers = fields.response?.headers ?? {};
  const said = githubMessage(fields.response?.data);
  const url = typeof fields.request?.url === 'string' ? fields.request.url : '';
  if (status === undefined || !fields.response) {
    return typeof fields.message === 'string' ? fields.message : String(error);
  }
  if (url.includes('/access_tokens')) {
    const installation = /\/app\/installations\/(\d+)\//.exec(url)?.[1];
    if (status === 401)
      return `authentication failed: GitHub rejected the app's credentials (${said ?? '401 Unauthorized'})`;
    if (status === 404)
      return `app installation ${installation ?? '?'} not found: check appId and installationId`;
  }
  if (status === 401) return `authentication failed: ${(said ?? 'bad credentials').toLowerCase()}`;
  if ((status === 403 || status === 429) && headers['x-ratelimit-remaining'] === '0') {
    const limit = Number(headers['x-ratelimit-limit'] ?? 0);
    const reset = Number(headers['x-ratelimit-reset'] ?? 0);
    return `rate limit exhausted (0/${limit}), resets ${formatClock(new Date(reset * 1000), now)}`;
  }
  if ((status === 403 || status === 429) && headers['retry-after'] !== undefined) {
    return `secondary rate limit: GitHub asks to wait ${headers['retry-after']} s before the next request`;
  }
  if (status === 403) return `permission denied: ${said ?? '403 Forbidden'}`;
  const words = describeHttpStatus(status);
  return said ? `${words}: ${said}` : words;
}
