/**
 * Wolfram|Alpha's error conventions in words: the status codes and texts of the Short Answers and Spoken
 * Results APIs, and the `error` object of the Full Results API, each turned into a {@link WolframAlphaError}
 * of one kind.
 */
import { describeHttpStatus } from '@servicedeck/plugin-kit';
import type { WolframApi } from './config.js';

/** What went wrong, for code that reacts to it. */
export type WolframAlphaErrorKind =
  /** The app id is unknown to Wolfram|Alpha ("Error 1: Invalid appid") on the API it was issued for. */
  | 'invalid-app-id'
  /** No app id reached Wolfram|Alpha ("Error 2: Appid missing"). */
  | 'app-id-missing'
  /** The app id was refused by an API other than the one it is configured for: it was issued for another. */
  | 'not-authorised'
  /** Too many calls: a 429, or an error that speaks of a limit or quota. */
  | 'quota-exceeded'
  /** The input could not be interpreted ("Wolfram|Alpha did not understand your input"). */
  | 'not-understood'
  /** The input was understood but has no answer short enough for this API ("No short answer available"). */
  | 'no-short-answer'
  /** The query had no input. */
  | 'no-input'
  /** Wolfram|Alpha failed (5xx). */
  | 'server'
  /** Any other answer. */
  | 'unexpected';

/** The API names as Wolfram|Alpha's documentation writes them. */
export const API_NAMES: Readonly<Record<WolframApi, string>> = {
  'short-answers': 'Short Answers API',
  'spoken-results': 'Spoken Results API',
  'full-results': 'Full Results API',
};

/** Wolfram|Alpha answered, and the answer is not a result. Network failures are `HttpEndpointError`s. */
export class WolframAlphaError extends Error {
  /** What went wrong. */
  public readonly kind: WolframAlphaErrorKind;
  /** The API that answered. */
  public readonly api: WolframApi;
  /** The HTTP status of the answer (0 when the request was refused before it was sent). */
  public readonly status: number;

  public constructor(kind: WolframAlphaErrorKind, api: WolframApi, status: number, message: string) {
    super(message);
    this.name = 'WolframAlphaError';
    this.kind = kind;
    this.api = api;
    this.status = status;
  }
}

/** Whether an answer shows that Wolfram|Alpha accepted the app id (whatever it thought of the input). */
export function acceptsAppId(error: WolframAlphaError): boolean {
  return error.kind === 'not-understood' || error.kind === 'no-short-answer' || error.kind === 'no-input';
}

/** What Wolfram|Alpha said, as it said it, for a message: `403 "Error 1: Invalid appid"`. */
function quote(status: number, text: string): string {
  const line = text.trim().replace(/\s+/g, ' ');
  const shown = line.length > 120 ? `${line.slice(0, 117)}...` : line;
  return shown === '' ? String(status) : `${status} ${JSON.stringify(shown)}`;
}

/** One failed answer of Wolfram|Alpha, to classify. */
export interface FailedAnswer {
  /** The API asked. */
  readonly api: WolframApi;
  /** The API the app id is configured for. */
  readonly configuredApi: WolframApi;
  /** The HTTP status. */
  readonly status: number;
  /** The body of a Short Answers or Spoken Results answer, or the `msg` of a Full Results error. */
  readonly text: string;
  /** The `code` of a Full Results error. */
  readonly code?: string;
  /** The input of the query, for messages about it. */
  readonly input?: string;
}

/**
 * Turns a failed answer into a {@link WolframAlphaError} whose message says what happened in words
 * ("authentication failed: invalid app id", "rate or quota limit exceeded").
 */
export function classifyFailure(answer: FailedAnswer): WolframAlphaError {
  const { api, configuredApi, status, text, code } = answer;
  const name = API_NAMES[api];
  const what = code === undefined ? quote(status, text) : `error ${code} ${JSON.stringify(text.trim())}`;
  const said = `the ${name} answered ${what}`;
  const fail = (kind: WolframAlphaErrorKind, message: string): WolframAlphaError =>
    new WolframAlphaError(kind, api, status, message);
  if (code === '2' || /appid missing/i.test(text)) {
    return fail('app-id-missing', `authentication failed: app id missing (${said})`);
  }
  if (code === '1' || /invalid appid/i.test(text)) {
    if (api !== configuredApi) {
      return fail(
        'not-authorised',
        `app id not authorised for the ${name} (${said}); it is configured for the ${API_NAMES[configuredApi]}`,
      );
    }
    return fail('invalid-app-id', `authentication failed: invalid app id (${said})`);
  }
  if (status === 429 || /\b(limit|quota|exceeded)\b/i.test(text)) {
    return fail('quota-exceeded', `rate or quota limit exceeded (${said})`);
  }
  const about = answer.input === undefined ? '' : ` ${JSON.stringify(answer.input)}`;
  if (status === 501 && /did not understand/i.test(text)) {
    return fail('not-understood', `Wolfram|Alpha did not understand${about}`);
  }
  if (status === 501) {
    return fail('no-short-answer', `no answer short enough for the ${name}${about} (${said})`);
  }
  if (status === 400) return fail('no-input', `no input: ${said}`);
  if (status >= 500) return fail('server', `the ${name} failed: ${describeHttpStatus(status)}`);
  return fail('unexpected', `unexpected answer: ${said}`);
}
