/**
 * `@servicedeck/plugin-wolfram-alpha`: a servicedeck service that owns the bot's Wolfram|Alpha client —
 * Short Answers, Spoken Results and Full Results, typed, with the API's errors in words — and checks it
 * spending as few queries as it can. servicedeck discovers it through the `servicedeck` marker of this
 * package.
 *
 * @packageDocumentation
 */

export { HttpEndpointError, type HttpFailureKind } from '@servicedeck/plugin-kit';
export {
  type ApiOutcome,
  type FullResultsOptions,
  type PodFormat,
  type QueryOptions,
  WolframAlphaClient,
  type WolframAlphaClientOptions,
} from './client.js';
export {
  WOLFRAM_ALPHA_BASE_URL,
  WOLFRAM_ALPHA_CONFIG_SCHEMA,
  WOLFRAM_APIS,
  type WolframAlphaConfig,
  type WolframApi,
  type WolframUnits,
} from './config.js';
export { API_NAMES, WolframAlphaError, type WolframAlphaErrorKind } from './errors.js';
export {
  type DidYouMean,
  type FullResults,
  type Pod,
  type PodImage,
  primaryText,
  type QueryValidation,
  type Subpod,
  type TextAnswer,
} from './results.js';
export { WOLFRAM_ALPHA_PLUGIN_VERSION } from './version.js';
export { WolframAlphaService } from './wolfram-alpha.service.js';
