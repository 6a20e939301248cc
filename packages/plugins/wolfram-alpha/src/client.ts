/**
 * The client the bot uses: the Short Answers (`/v1/result`), Spoken Results (`/v1/spoken`) and Full Results
 * (`/v2/query`, `/v2/validatequery`) APIs of Wolfram|Alpha over one kept-alive connection pool, each
 * returning a typed result and turning the API's error conventions into {@link WolframAlphaError}s.
 */
import { HttpClient, type HttpClientResponse, HttpEndpointError } from '@servicedeck/plugin-kit';
import type { WolframApi, WolframUnits } from './config.js';
import { acceptsAppId, classifyFailure, WolframAlphaError } from './errors.js';
import {
  type FullResults,
  parseValidation,
  type QueryValidation,
  type RawQueryResult,
  type TextAnswer,
  toFullResults,
} from './results.js';
import { WOLFRAM_ALPHA_PLUGIN_VERSION } from './version.js';

/** Settings of a {@link WolframAlphaClient}. */
export interface WolframAlphaClientOptions {
  /** The app id. */
  readonly appId: string;
  /** The API the app id was issued for: a refusal by another API is reported as `not-authorised`. */
  readonly api: WolframApi;
  /** The base URL (`https://api.wolframalpha.com`). */
  readonly baseUrl: string;
  /** The unit system of answers, unless a query says otherwise. */
  readonly units?: WolframUnits;
  /** Milliseconds a request may take, unless a query says otherwise. */
  readonly timeoutMs: number;
}

/** Options of one query. */
export interface QueryOptions {
  /** The unit system of this answer. */
  readonly units?: WolframUnits;
  /** Milliseconds this request may take. */
  readonly timeoutMs?: number;
  /** Aborts the request when it aborts. */
  readonly signal?: AbortSignal;
}

/** The formats a Full Results pod can be returned in. */
export type PodFormat = 'plaintext' | 'image' | 'mathml' | 'minput' | 'moutput' | 'sound' | 'wav';

/** Options of a Full Results query. */
export interface FullResultsOptions extends QueryOptions {
  /** The formats of the pods (default: `plaintext` only, the smallest answer). */
  readonly formats?: readonly PodFormat[];
  /** Only these pods (`includepodid`). */
  readonly includePodIds?: readonly string[];
  /** Not these pods (`excludepodid`). */
  readonly excludePodIds?: readonly string[];
  /** Assumptions from an earlier answer, to pick an interpretation (`assumption`). */
  readonly assumptions?: readonly string[];
}

/** The last answer the client received, or the failure to get one. */
export interface ApiOutcome {
  /** When it arrived. */
  readonly at: Date;
  /** The API asked. */
  readonly api: WolframApi;
  /**
   * Whether Wolfram|Alpha answered and accepted the app id (an answer, or "did not understand your
   * input"); false for a refusal, a quota error, a server error or no answer at all.
   */
  readonly accepted: boolean;
}

const USER_AGENT = `servicedeck-plugin-wolfram-alpha/${WOLFRAM_ALPHA_PLUGIN_VERSION}`;

/**
 * A Wolfram|Alpha client for one app id. Results are typed; an answer that is not a result rejects with a
 * {@link WolframAlphaError} (its `kind` says which: `not-understood`, `invalid-app-id`, `quota-exceeded`…),
 * and no answer at all with an `HttpEndpointError` (`timeout`, `connection-refused`…).
 *
 * @example
 * ```ts
 * const wolfram = manager.getService<WolframAlphaService>('wolfram-alpha').client;
 * const { text } = await wolfram.shortAnswer('distance from Earth to the Moon');
 * ```
 */
export class WolframAlphaClient {
  /** The API the app id was issued for. */
  public readonly api: WolframApi;
  /** The base URL requests go to. */
  public readonly baseUrl: URL;
  private readonly appId: string;
  private readonly units: WolframUnits | undefined;
  private readonly http: HttpClient;
  private last: ApiOutcome | undefined;

  public constructor(options: WolframAlphaClientOptions) {
    if (options.appId.trim() === '') throw new TypeError('appId must not be empty');
    this.api = options.api;
    this.appId = options.appId;
    this.units = options.units;
    this.http = new HttpClient({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      headers: { 'user-agent': USER_AGENT },
    });
    this.baseUrl = this.http.baseUrl;
  }

  /** The last answer received (or the failure to get one), for health checks that spend no query. */
  public get lastOutcome(): ApiOutcome | undefined {
    return this.last;
  }

  /** How many requests are in flight. */
  public get inFlightCount(): number {
    return this.http.inFlightCount;
  }

  /** Whether {@link WolframAlphaClient.close} was called. */
  public get isClosed(): boolean {
    return this.http.isClosed;
  }

  /**
   * Asks the Short Answers API (`/v1/result`): one line of plain text, the main result.
   *
   * @param input - the question, as a person would type it.
   * @throws WolframAlphaError `not-understood`, `no-short-answer`, `invalid-app-id`, `quota-exceeded`…
   * @throws HttpEndpointError when no answer arrives.
   */
  public shortAnswer(input: string, options: QueryOptions = {}): Promise<TextAnswer> {
    return this.text('short-answers', '/v1/result', input, options);
  }

  /**
   * Asks the Spoken Results API (`/v1/spoken`): the result as a sentence to read out.
   *
   * @param input - the question, as a person would type it.
   * @throws WolframAlphaError `not-understood`, `no-short-answer` ("No spoken result available")…
   * @throws HttpEndpointError when no answer arrives.
   */
  public spokenResult(input: string, options: QueryOptions = {}): Promise<TextAnswer> {
    return this.text('spoken-results', '/v1/spoken', input, options);
  }

  /**
   * Asks the Full Results API (`/v2/query?output=json`): every pod of the answer. Input Wolfram|Alpha does
   * not understand resolves with `success: false` and its suggestions, as the API returns it.
   *
   * @param input - the question, as a person would type it.
   * @throws WolframAlphaError when the API answers with an error (`invalid-app-id`, `quota-exceeded`…).
   * @throws HttpEndpointError when no answer arrives.
   */
  public async query(input: string, options: FullResultsOptions = {}): Promise<FullResults> {
    const api = 'full-results';
    const search = this.search(api, 'input', input, options);
    search.set('output', 'json');
    search.set('format', (options.formats ?? ['plaintext']).join(','));
    for (const id of options.includePodIds ?? []) search.append('includepodid', id);
    for (const id of options.excludePodIds ?? []) search.append('excludepodid', id);
    for (const assumption of options.assumptions ?? []) search.append('assumption', assumption);
    const response = await this.send(api, `/v2/query?${search}`, options, 'application/json');
    const raw = this.parseQueryResult(response, input);
    this.record(api, true);
    return toFullResults(raw, input, response.latencyMs);
  }

  /**
   * Asks the Full Results API to parse the input without computing it (`/v2/validatequery`): the
   * cheapest call that proves the app id works for the Full Results API.
   *
   * @param input - the question to parse.
   * @throws WolframAlphaError when the API answers with an error.
   * @throws HttpEndpointError when no answer arrives.
   */
  public async validateQuery(input: string, options: QueryOptions = {}): Promise<QueryValidation> {
    const api = 'full-results';
    const search = this.search(api, 'input', input, {});
    const response = await this.send(api, `/v2/validatequery?${search}`, options, 'text/xml');
    const validation = parseValidation(response.text());
    if (response.status !== 200 || validation === undefined || validation.error !== undefined) {
      throw this.failure(api, {
        status: response.status,
        text: validation?.error?.msg ?? response.text(),
        ...(validation?.error === undefined ? {} : { code: validation.error.code }),
        input,
      });
    }
    this.record(api, true);
    return {
      success: validation.success,
      parseTiming: validation.parseTiming,
      latencyMs: response.latencyMs,
    };
  }

  /** Aborts the requests in flight (they reject as `aborted`) and closes every connection. */
  public async close(reason = 'request aborted: the Wolfram|Alpha client was closed'): Promise<void> {
    await this.http.close(reason);
  }

  private async text(
    api: 'short-answers' | 'spoken-results',
    path: string,
    input: string,
    options: QueryOptions,
  ): Promise<TextAnswer> {
    const search = this.search(api, 'i', input, options);
    const response = await this.send(api, `${path}?${search}`, options, 'text/plain');
    if (response.status !== 200) {
      throw this.failure(api, { status: response.status, text: response.text(), input });
    }
    this.record(api, true);
    return { input, text: response.text().trim(), latencyMs: response.latencyMs };
  }

  /** The query string of a request: app id, input and units. Refuses an empty input without sending it. */
  private search(
    api: WolframApi,
    name: 'i' | 'input',
    input: string,
    options: QueryOptions,
  ): URLSearchParams {
    if (input.trim() === '') {
      throw new WolframAlphaError('no-input', api, 0, 'no input: give the text of the query');
    }
    const search = new URLSearchParams({ appid: this.appId, [name]: input });
    const units = options.units ?? this.units;
    if (units !== undefined) search.set('units', units);
    return search;
  }

  private async send(
    api: WolframApi,
    path: string,
    options: QueryOptions,
    accept: string,
  ): Promise<HttpClientResponse> {
    const request = {
      headers: { accept },
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    try {
      try {
        return await this.http.request(path, request);
      } catch (error) {
        // A kept-alive connection the server closed while it sat idle fails at once; every call here is a
        // GET, so it is sent once more, on a new connection.
        if (!(error instanceof HttpEndpointError && error.kind === 'connection-reset')) throw error;
        return await this.http.request(path, request);
      }
    } catch (error) {
      this.record(api, false);
      throw error;
    }
  }

  /** The `queryresult` of a Full Results answer, or the error it carries. */
  private parseQueryResult(response: HttpClientResponse, input: string): RawQueryResult {
    const api = 'full-results';
    let body: { queryresult?: RawQueryResult } | undefined;
    try {
      body = response.json<{ queryresult?: RawQueryResult }>();
    } catch (error) {
      if (response.status === 200 && error instanceof HttpEndpointError) {
        this.record(api, false);
        throw new WolframAlphaError('unexpected', api, 200, error.message);
      }
    }
    const raw = body?.queryresult;
    const error = raw?.error;
    if (response.status === 200 && raw !== undefined && (error === undefined || error === false)) return raw;
    if (typeof error === 'object' && error !== null) {
      throw this.failure(api, {
        status: response.status,
        text: String(error.msg ?? ''),
        ...(error.code === undefined ? {} : { code: String(error.code) }),
        input,
      });
    }
    throw this.failure(api, { status: response.status, text: response.text(), input });
  }

  private failure(
    api: WolframApi,
    answer: { status: number; text: string; code?: string; input: string },
  ): WolframAlphaError {
    const error = classifyFailure({ api, configuredApi: this.api, ...answer });
    this.record(api, acceptsAppId(error));
    return error;
  }

  private record(api: WolframApi, accepted: boolean): void {
    this.last = { at: new Date(), api, accepted };
  }
}
