/** Calls of the HTTP API: JSON in and out, the CSRF token on changes, one error shape. */
import type { ApiErrorInfo } from './types.js';

/** A failed API call, with the server's `{ error }` body (or one made up for network failures). */
export class ApiError extends Error {
  public constructor(
    public readonly status: number,
    public readonly info: ApiErrorInfo,
  ) {
    super(info.message);
    this.name = 'ApiError';
  }

  public get code(): string {
    return this.info.code;
  }
}

/** The error body of a response, or one describing the response when it has none. */
export function errorInfo(status: number, body: unknown): ApiErrorInfo {
  const error = (body as { error?: Partial<ApiErrorInfo> } | null)?.error;
  if (error && typeof error.message === 'string') {
    return {
      code: typeof error.code === 'string' ? error.code : 'SD_ERR_UNKNOWN',
      category: typeof error.category === 'string' ? error.category : 'internal',
      message: error.message,
      hint: typeof error.hint === 'string' ? error.hint : null,
      details: typeof error.details === 'object' && error.details !== null ? error.details : {},
      fields: Array.isArray(error.fields) ? error.fields : [],
    };
  }
  return {
    code: 'SD_ERR_UNKNOWN',
    category: 'internal',
    message: `The server answered ${status} without an explanation.`,
    hint: 'Try again; if it keeps happening, check servicedeck’s log.',
    details: {},
    fields: [],
  };
}

let csrfToken: string | null = null;
let unauthenticated: (() => void) | null = null;

/** The CSRF token of the session, sent with every change. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** What to do when a call answers 401 (the session ended). */
export function onUnauthenticated(handler: () => void): void {
  unauthenticated = handler;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['content-type'] = 'application/json';
    if (csrfToken) headers['x-csrf-token'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(method !== 'GET' && method !== 'HEAD' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    throw new ApiError(0, {
      code: 'SD_ERR_NETWORK',
      category: 'unavailable',
      message: 'Could not reach servicedeck.',
      hint: 'Check that servicedeck is still running and reachable, then try again.',
      details: {},
      fields: [],
    });
  }
  if (response.status === 204) return undefined as T;
  let data: unknown = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, errorInfo(response.status, data));
    if (response.status === 401 && path !== '/api/session') unauthenticated?.();
    throw error;
  }
  return data as T;
}

/** A query string of the defined, non-empty parameters. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body),
  patch: <T>(path: string, body?: unknown): Promise<T> => request<T>('PATCH', path, body),
  delete: <T>(path: string): Promise<T> => request<T>('DELETE', path),
};
