/**
 * The configuration of the Sentry service: its JSON Schema (validated and defaulted by core), the
 * TypeScript type of a validated configuration, and the DSN's parts.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** A validated configuration of the Sentry service, schema defaults applied. */
export type SentryConfig = {
  /** The project's DSN, `https://<public key>@<host>/<project id>`. */
  readonly dsn: string;
  /** The environment events are tagged with (`production`, `staging`…). */
  readonly environment?: string;
  /** The release events are tagged with. */
  readonly release?: string;
  /** The share of error events sent, 0 to 1 (default 1). */
  readonly sampleRate: number;
  /** The share of transactions traced, 0 to 1 (default 0: no tracing). */
  readonly tracesSampleRate: number;
  /** The SDK's own debug logging (default false). */
  readonly debug: boolean;
  /** Also check a self-hosted Sentry's `/_health/` route (default false). */
  readonly selfHostedHealth: boolean;
  /** Milliseconds a health request may take (default 5000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link SentryConfig}. */
export const SENTRY_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    dsn: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: "The project's DSN: Settings → Projects → Client Keys (DSN).",
    },
    environment: { type: 'string', minLength: 1, description: 'The environment events are tagged with.' },
    release: { type: 'string', minLength: 1, description: 'The release events are tagged with.' },
    sampleRate: { type: 'number', minimum: 0, maximum: 1, default: 1, description: 'Share of errors sent.' },
    tracesSampleRate: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      default: 0,
      description: 'Share of transactions traced (0: no tracing).',
    },
    debug: { type: 'boolean', default: false, description: "The SDK's own debug logging." },
    selfHostedHealth: {
      type: 'boolean',
      default: false,
      description: "Also check a self-hosted Sentry's /_health/ route.",
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 60_000,
      default: 5_000,
      description: 'Milliseconds a health request may take.',
    },
  },
  required: ['dsn'],
  additionalProperties: false,
};

/** A DSN's parts. */
export interface ParsedDsn {
  /** `https://sentry.example.com` (with any path prefix before the project id). */
  readonly base: string;
  readonly publicKey: string;
  readonly projectId: string;
  /** `host:port`, for messages (the key is never shown). */
  readonly host: string;
}

/**
 * Parses a DSN.
 *
 * @throws Error `invalid DSN: …` saying what is wrong (never quoting the key).
 */
export function parseDsn(dsn: string): ParsedDsn {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error('invalid DSN: not a URL (expected https://<public key>@<host>/<project id>)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`invalid DSN: the scheme must be https or http, not ${url.protocol.slice(0, -1)}`);
  }
  if (!url.username) throw new Error('invalid DSN: it has no public key before the @');
  const segments = url.pathname.split('/').filter(Boolean);
  const projectId = segments.pop();
  if (!projectId || !/^\d+$/.test(projectId)) {
    throw new Error('invalid DSN: it does not end with a numeric project id');
  }
  const prefix = segments.length > 0 ? `/${segments.join('/')}` : '';
  return {
    base: `${url.protocol}//${url.host}${prefix}`,
    publicKey: decodeURIComponent(url.username),
    projectId,
    host: url.host,
  };
}
