/**
 * The configuration of the Mailcow service: its JSON Schema (validated and defaulted by core) and the
 * TypeScript type of a validated configuration.
 */
import type { ConfigSchema } from '@servicedeck/core';

/** A validated configuration of the Mailcow service, schema defaults applied. */
export type MailcowConfig = {
  /** The Mailcow UI and API, `https://mail.example.com`. */
  readonly url: string;
  /** An API key (System → Configuration → Access → API), read-only or read-write. */
  readonly apiKey: string;
  /** The SMTP host mail is sent through (default: the host of `url`). */
  readonly smtpHost?: string;
  /** The SMTP port (default 587, submission with STARTTLS). */
  readonly smtpPort: number;
  /** Implicit TLS from the first byte (port 465) instead of STARTTLS (default false). */
  readonly smtpSecure: boolean;
  /** The mailbox the bot sends as, if the server wants authentication. */
  readonly smtpUser?: string;
  /** Its password. */
  readonly smtpPassword?: string;
  /** Milliseconds an API request or SMTP step may take (default 10000). */
  readonly timeoutMs: number;
};

/** The JSON Schema (2020-12) of {@link MailcowConfig}. */
export const MAILCOW_CONFIG_SCHEMA: ConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      description: 'The Mailcow UI and API, https://mail.example.com.',
    },
    apiKey: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: 'An API key: System → Configuration → Access → API.',
    },
    smtpHost: { type: 'string', minLength: 1, description: 'The SMTP host (default: the host of url).' },
    smtpPort: { type: 'integer', minimum: 1, maximum: 65_535, default: 587, description: 'The SMTP port.' },
    smtpSecure: {
      type: 'boolean',
      default: false,
      description: 'Implicit TLS from the first byte (port 465) instead of STARTTLS.',
    },
    smtpUser: { type: 'string', minLength: 1, description: 'The mailbox the bot sends as.' },
    smtpPassword: {
      type: 'string',
      minLength: 1,
      'x-secret': true,
      description: "The mailbox's password.",
    },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120_000,
      default: 10_000,
      description: 'Milliseconds an API request or SMTP step may take.',
    },
  },
  required: ['url', 'apiKey'],
  dependentRequired: { smtpUser: ['smtpPassword'], smtpPassword: ['smtpUser'] },
  additionalProperties: false,
};
