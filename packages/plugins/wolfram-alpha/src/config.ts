/**
 * The configuration of the Wolfram|Alpha service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** The Wolfram|Alpha APIs the client speaks. App ids are issued per API. */
export type WolframApi = 'short-answers' | 'spoken-results' | 'full-results';

/** Every {@link WolframApi}, in the order they are documented. */
export const WOLFRAM_APIS: readonly WolframApi[] = ['short-answers', 'spoken-results', 'full-results'];

/** The unit systems Wolfram|Alpha answers in. */
export type WolframUnits = 'metric' | 'imperial';

/** A validated configuration of the Wolfram|Alpha service, schema defaults applied. */
export type WolframAlphaConfig = {
  /** The app id from the Wolfram|Alpha developer portal. A secret. */
  readonly appId: string;
  /** The API the app id was issued for (default `short-answers`); health checks use it. */
  readonly api: WolframApi;
  /** The API's base URL (default `https://api.wolframalpha.com`). */
  readonly baseUrl: string;
  /** The unit system of answers; when absent, Wolfram|Alpha picks one from the caller's location. */
  readonly units?: WolframUnits;
  /** Milliseconds a request may take (default 10000). */
  readonly timeoutMs: number;
};

/** The public Wolfram|Alpha API host. */
export const WOLFRAM_ALPHA_BASE_URL = 'https://api.wolframalpha.com';

/** The JSON Schema (2020-12) of {@link WolframAlphaConfig}. */
export const WOLFRAM_ALPHA_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    appId: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z0-9-]+$',
      'x-secret': true,
      description: 'The app id from the Wolfram|Alpha developer portal (letters, digits and dashes).',
    },
    api: {
      type: 'string',
      enum: [...WOLFRAM_APIS],
      default: 'short-answers',
      description: 'The API the app id was issued for; health checks query it.',
    },
    baseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: WOLFRAM_ALPHA_BASE_URL,
      description: 'The base URL of the Wolfram|Alpha API.',
    },
    units: {
      type: 'string',
      enum: ['metric', 'imperial'],
      description: 'The unit system of answers; Wolfram|Alpha picks one from the location when unset.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 500,
      maximum: 60_000,
      default: 10_000,
      description: 'Milliseconds a request may take before it counts as failed.',
    },
  },
  required: ['appId'],
  additionalProperties: false,
};
