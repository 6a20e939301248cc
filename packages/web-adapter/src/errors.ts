/**
 * One error body for every failure of the HTTP API, carrying the core error code when core raised it:
 * `{ "error": { "code", "category", "message", "hint", "details", "fields" } }`. Core's categories map to
 * statuses in one place: input 400, not-found 404, conflict 409, not-allowed 403, unavailable 503,
 * internal 500.
 */
import {
  describeError,
  type ErrorCategory,
  type ErrorCode,
  isServiceDeckError,
  type ServiceDeckError,
} from '@servicedeck/core';

/** Codes of failures the HTTP layer itself reports (core's codes are `SD_ERR_…` too). */
export type HttpErrorCode =
  | 'SD_ERR_REQUEST_INVALID'
  | 'SD_ERR_UNAUTHENTICATED'
  | 'SD_ERR_FORBIDDEN'
  | 'SD_ERR_CSRF'
  | 'SD_ERR_RATE_LIMITED'
  | 'SD_ERR_ROUTE_NOT_FOUND'
  | 'SD_ERR_INTERNAL';

/** A field that failed validation: a JSON Pointer into the request, and why. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode | HttpErrorCode;
    readonly category: ErrorCategory;
    readonly message: string;
    readonly hint: string | null;
    readonly details: Record<string, unknown>;
    readonly fields: readonly FieldProblem[];
  };
}

const CATEGORY_STATUS: Record<ErrorCategory, number> = {
  input: 400,
  'not-found': 404,
  conflict: 409,
  'not-allowed': 403,
  unavailable: 503,
  internal: 500,
};

/** What to do, in the dashboard's terms, where core's hint is worded for any adapter. */
const WEB_HINTS: Partial<Record<ErrorCode, string>> = {
  SD_ERR_DEPENDENCIES_DISABLED: 'Enable them first, or send withDependencies: true to enable them together.',
  SD_ERR_DEPENDENTS_ENABLED: 'Disable them first, or send cascade: true to disable them too.',
  SD_ERR_CONFIG_CONFLICT: 'Load the configuration again, apply your change to the new version, and send it.',
  SD_ERR_RELOAD_FAILED: 'Fix the error in its code (or its settings) and reload it again.',
};

/** What to do about `error`, worded for the dashboard and its API when core's hint is not. */
export function webHint(error: ServiceDeckError): string | null {
  return WEB_HINTS[error.code] ?? error.hint ?? null;
}

/** An error of the HTTP layer, with its status. */
export class HttpError extends Error {
  public constructor(
    public readonly status: number,
    public readonly code: HttpErrorCode,
    message: string,
    public readonly hint: string | null = null,
    public readonly fields: readonly FieldProblem[] = [],
    public readonly headers: Record<string, string> = {},
    public readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const HTTP_CATEGORY: Record<HttpErrorCode, ErrorCategory> = {
  SD_ERR_REQUEST_INVALID: 'input',
  SD_ERR_UNAUTHENTICATED: 'not-allowed',
  SD_ERR_FORBIDDEN: 'not-allowed',
  SD_ERR_CSRF: 'not-allowed',
  SD_ERR_RATE_LIMITED: 'conflict',
  SD_ERR_ROUTE_NOT_FOUND: 'not-found',
  SD_ERR_INTERNAL: 'internal',
};

/** The status and body for any thrown value. */
export function errorResponse(error: unknown): {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
} {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      headers: error.headers,
      body: {
        error: {
          code: error.code,
          category: HTTP_CATEGORY[error.code],
          message: error.message,
          hint: error.hint,
          details: { ...error.details },
          fields: error.fields,
        },
      },
    };
  }
  if (isServiceDeckError(error)) {
    const problems = (error.details as { problems?: unknown }).problems;
    const fields = Array.isArray(problems)
      ? problems.map((p: { path?: unknown; message?: unknown }) => ({
          path: `/values${typeof p.path === 'string' ? p.path : ''}`,
          message: typeof p.message === 'string' ? p.message : String(p.message),
        }))
      : [];
    return {
      status: CATEGORY_STATUS[error.category],
      headers: {},
      body: {
        error: {
          code: error.code,
          category: error.category,
          message: error.reason,
          hint: webHint(error),
          details: { ...error.details },
          fields,
        },
      },
    };
  }
  return {
    status: 500,
    headers: {},
    body: {
      error: {
        code: 'SD_ERR_INTERNAL',
        category: 'internal',
        message: 'Something went wrong on the server.',
        hint: `Try again; if it keeps happening, the server's log has the error (${clipped(describeError(error))}).`,
        details: {},
        fields: [],
      },
    },
  };
}

const clipped = (text: string): string => (text.length > 200 ? `${text.slice(0, 199)}…` : text);

/** The JSON schema of {@link ErrorBody}, for every route's error responses and the OpenAPI document. */
export const ERROR_SCHEMA = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'category', 'message', 'hint', 'details', 'fields'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', pattern: '^SD_ERR_[A-Z_]+$' },
        category: {
          type: 'string',
          enum: ['input', 'not-found', 'conflict', 'not-allowed', 'unavailable', 'internal'],
        },
        message: { type: 'string' },
        hint: { type: ['string', 'null'] },
        details: { type: 'object', additionalProperties: true },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path', 'message'],
            additionalProperties: false,
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;
