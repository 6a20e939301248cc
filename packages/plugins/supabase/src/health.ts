/**
 * The health check of a Supabase project, in its own protocol: the auth server's health route
 * (`GET /auth/v1/health`, which answers GoTrue's version) and the REST API's root (`/rest/v1/`), both with
 * the configured API key, each answer turned into words.
 */
import type { HealthCheckResult } from '@servicedeck/core';
import { describeHttpStatus, HttpEndpointError } from '@servicedeck/plugin-kit';
import { isPrivileged, type SupabaseKeyRole } from './key.js';

/** What a check needs. */
export interface SupabaseProbe {
  /** The client's own fetch (its timeout and connection pool). */
  readonly fetch: (input: URL, init: RequestInit) => Promise<Response>;
  /** The project URL, with a trailing slash. */
  readonly baseUrl: URL;
  readonly apiKey: string;
  readonly schema: string;
  readonly role: SupabaseKeyRole;
  readonly signal: AbortSignal;
}

/** Which part of the project answered. */
type Part = 'auth' | 'rest';

const LABELS: Readonly<Record<Part, string>> = { auth: 'the auth server', rest: 'the REST API' };

/** The JSON error bodies of the gateway, GoTrue and PostgREST: `message`/`msg`/`error`, and `hint`. */
interface ErrorBody {
  readonly message?: unknown;
  readonly msg?: unknown;
  readonly error?: unknown;
  readonly error_description?: unknown;
  readonly hint?: unknown;
  readonly version?: unknown;
  readonly name?: unknown;
}

async function bodyOf(response: Response): Promise<ErrorBody> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as ErrorBody) : {};
  } catch {
    return text.trim() === '' ? {} : { message: text.trim().slice(0, 120) };
  }
}

function textOf(body: ErrorBody): string {
  for (const value of [body.message, body.msg, body.error_description, body.error]) {
    if (typeof value === 'string' && value !== '') return value;
  }
  return '';
}

/** A refusal in words: what it means for the operator, and what the server said. */
function describeRefusal(part: Part, response: Response, body: ErrorBody, schema: string): string {
  const { status } = response;
  const said = textOf(body);
  const quoted = said === '' ? `${status}` : `${status} ${JSON.stringify(said)}`;
  const label = LABELS[part];
  if (status === 401 || status === 403) {
    return part === 'auth'
      ? `authentication failed: API key rejected (${quoted})`
      : `authentication failed: API key rejected by ${label} (${quoted})`;
  }
  if (status === 404) {
    return `${label} was not found (${quoted}): url must be the project URL, https://<project-ref>.supabase.co`;
  }
  if (part === 'rest' && status === 406) {
    return `${label} does not expose schema "${schema}" (${quoted}): expose it in the project's API settings, or change the schema setting`;
  }
  if (status === 429 || status >= 500) return `${label}: ${describeHttpStatus(status, response.statusText)}`;
  return `unexpected answer from ${label}: ${describeHttpStatus(status, response.statusText)}`;
}

/** PostgREST's refusal of the schema listing to a key that is not service_role: the key itself was accepted. */
function onlyServiceRole(body: ErrorBody): boolean {
  return typeof body.hint === 'string' && /only the .?service_role.? api key/i.test(body.hint);
}

/**
 * Checks the auth server, then the REST API, with the project's API key. An answer or a network failure
 * is a result in words, naming the part concerned in its details; an abort rejects.
 */
export async function checkProject(probe: SupabaseProbe): Promise<HealthCheckResult> {
  const { baseUrl, apiKey, schema, role, signal } = probe;
  let part: Part = 'auth';
  try {
    const authStarted = performance.now();
    const auth = await probe.fetch(new URL('auth/v1/health', baseUrl), {
      headers: { apikey: apiKey },
      signal,
    });
    const authLatencyMs = Math.round(performance.now() - authStarted);
    const authBody = await bodyOf(auth);
    if (auth.status !== 200) {
      return {
        status: 'error',
        message: describeRefusal('auth', auth, authBody, schema),
        details: { part: 'auth', statusCode: auth.status, keyRole: role },
      };
    }
    const authVersion = typeof authBody.version === 'string' ? authBody.version : null;

    part = 'rest';
    // A service_role (secret) key gets the whole OpenAPI description at the root: HEAD skips its body.
    // Other keys get a short refusal of the listing whose hint shows the key itself was accepted.
    const method = isPrivileged(role) ? 'HEAD' : 'GET';
    const restStarted = performance.now();
    const rest = await probe.fetch(new URL('rest/v1/', baseUrl), {
      method,
      headers: { apikey: apiKey, authorization: `Bearer ${apiKey}`, 'accept-profile': schema },
      signal,
    });
    const restLatencyMs = Math.round(performance.now() - restStarted);
    const restBody = await bodyOf(rest);
    const details = { authVersion, keyRole: role, authLatencyMs, restLatencyMs, restStatus: rest.status };
    if (rest.status !== 200 && !(rest.status === 401 && onlyServiceRole(restBody))) {
      return {
        status: 'error',
        message: describeRefusal('rest', rest, restBody, schema),
        details: { part: 'rest', statusCode: rest.status, ...details },
      };
    }
    return {
      status: 'active',
      message: `auth ${authVersion ?? '(version not given)'} and REST API answered in ${authLatencyMs + restLatencyMs} ms (${role} key)`,
      details,
    };
  } catch (error) {
    if (error instanceof HttpEndpointError) {
      return {
        status: 'error',
        message: error.message,
        details: { part, reason: error.kind, ...(error.code === undefined ? {} : { code: error.code }) },
      };
    }
    throw error;
  }
}
