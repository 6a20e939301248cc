/**
 * The configuration of the GitHub service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** A validated configuration of the GitHub service, schema defaults applied. */
export type GitHubConfig = {
  /** The REST API's base URL: `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise. */
  readonly baseUrl: string;
  /** A personal access token or any other token GitHub accepts. */
  readonly token?: string;
  /** A GitHub App's id, with `privateKey` and `installationId` instead of a token. */
  readonly appId?: number;
  /** The GitHub App's private key (PEM). */
  readonly privateKey?: string;
  /** The installation of the app whose token the client uses. */
  readonly installationId?: number;
  /** Below this share of the hourly quota left, the health message warns (default 10). */
  readonly lowQuotaPercent: number;
  /** Milliseconds a request may take (default 10000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link GitHubConfig}. */
export const GITHUB_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    baseUrl: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      default: 'https://api.github.com',
      description:
        'The REST API: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server.',
    },
    token: {
      type: 'string',
      minLength: 1,
      pattern: '^\\S+$',
      'x-secret': true,
      description: 'A personal access token (or any token GitHub accepts). Or give app credentials instead.',
    },
    appId: {
      type: 'integer',
      minimum: 1,
      description: "A GitHub App's id (with privateKey and installationId).",
    },
    privateKey: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: "The GitHub App's private key, PEM.",
    },
    installationId: {
      type: 'integer',
      minimum: 1,
      description: 'The installation of the app whose access token the client uses.',
    },
    lowQuotaPercent: {
      type: 'number',
      minimum: 0,
      maximum: 100,
      default: 10,
      description: 'Below this share of the hourly quota left, the health message warns.',
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: 10_000,
      description: 'Milliseconds a request may take before it counts as failed.',
    },
  },
  anyOf: [{ required: ['token'] }, { required: ['appId', 'privateKey', 'installationId'] }],
  additionalProperties: false,
};
