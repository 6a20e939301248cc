/**
 * The configuration of the Supabase service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** A validated configuration of the Supabase service, schema defaults applied. */
export type SupabaseConfig = {
  /** The project URL, `https://<project-ref>.supabase.co` (or a self-hosted gateway). */
  readonly url: string;
  /** The API key: anon or publishable for row-level-security access, service_role or secret for full access. */
  readonly apiKey: string;
  /** The database schema `client.from()` reads (default `public`); it must be exposed by the REST API. */
  readonly schema: string;
  /** Milliseconds a request may take (default 10000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link SupabaseConfig}. */
export const SUPABASE_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description: 'The project URL, https://<project-ref>.supabase.co (not the /rest/v1 URL).',
    },
    apiKey: {
      type: 'string',
      minLength: 20,
      pattern: '^[A-Za-z0-9_.-]+$',
      'x-secret': true,
      description: 'The anon/publishable key, or the service_role/secret key for full access.',
    },
    schema: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_$]*$',
      default: 'public',
      description: 'The database schema client.from() reads; it must be exposed by the REST API.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 500,
      maximum: 120_000,
      default: 10_000,
      description: 'Milliseconds a request may take before it counts as failed.',
    },
  },
  required: ['url', 'apiKey'],
  additionalProperties: false,
};
