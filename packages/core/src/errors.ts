/**
 * The one error class of servicedeck and its table of codes.
 *
 * Every error core raises is a {@link ServiceDeckError} with a stable `code`. Each code belongs to a
 * transport-agnostic {@link ErrorCategory}, which every adapter maps to its own medium in one place
 * (an ephemeral Discord reply, a CLI exit code, an HTTP status). Messages say what went wrong and what
 * to do next. `docs/errors.md` documents every code; a test keeps the two in step.
 */

/** What kind of failure an error is, independent of the adapter that reports it. */
export type ErrorCategory =
  /** The caller's input is wrong: fix it and retry. */
  | 'input'
  /** Something named does not exist. */
  | 'not-found'
  /** The request conflicts with the current state. */
  | 'conflict'
  /** The caller may not do this. */
  | 'not-allowed'
  /** A dependency of servicedeck (database, driver, network) is unavailable or misconfigured. */
  | 'unavailable'
  /** A service or plugin misbehaved. */
  | 'internal';

interface ErrorDefinition {
  readonly category: ErrorCategory;
  readonly summary: string;
}

/** Every error code servicedeck raises, with its category and a one-line summary. */
export const ERROR_CODES = {
  SD_ERR_SERVICE_NOT_FOUND: { category: 'not-found', summary: 'No service with this id is in the catalog.' },
  SD_ERR_SERVICE_NOT_RUNNING: {
    category: 'conflict',
    summary: 'The service exists but has no live instance (disabled, not configured or failed to start).',
  },
  SD_ERR_INVALID_METADATA: {
    category: 'input',
    summary: "A service's metadata is missing fields or has invalid values.",
  },
  SD_ERR_INVALID_CONFIG_SCHEMA: {
    category: 'input',
    summary: "A service's configSchema is not a valid JSON Schema.",
  },
  SD_ERR_DUPLICATE_SERVICE: { category: 'conflict', summary: 'Two services declare the same id.' },
  SD_ERR_DEPENDENCY_MISSING: {
    category: 'input',
    summary: 'A service depends on a service that does not exist.',
  },
  SD_ERR_DEPENDENCY_CYCLE: { category: 'input', summary: 'Services depend on each other in a cycle.' },
  SD_ERR_PLUGIN_NOT_FOUND: {
    category: 'not-found',
    summary: 'A plugin package named in the configuration is not installed.',
  },
  SD_ERR_PLUGIN_INVALID: {
    category: 'input',
    summary: "A plugin package's servicedeck marker or a service module's exports are malformed.",
  },
  SD_ERR_PLUGIN_LOAD_FAILED: {
    category: 'internal',
    summary: 'A service module threw or failed to parse when imported.',
  },
  SD_ERR_REGISTRATION_CLOSED: {
    category: 'conflict',
    summary: 'A service was registered after the manager started.',
  },
  SD_ERR_MANAGER_STATE: {
    category: 'conflict',
    summary:
      'The manager was used in the wrong state (used before start, started twice, used after shutdown).',
  },
  SD_ERR_SERVICE_CONSTRUCTION_FAILED: { category: 'internal', summary: "A service's constructor threw." },
  SD_ERR_SERVICE_ENABLE_FAILED: { category: 'internal', summary: "A service's enable() threw or timed out." },
  SD_ERR_SERVICE_DISABLE_FAILED: {
    category: 'internal',
    summary: "A service's disable() threw or timed out.",
  },
  SD_ERR_DATABASE_URL_INVALID: {
    category: 'input',
    summary: 'The database URL is not a SQLite path or PostgreSQL URL.',
  },
  SD_ERR_DATABASE_UNAVAILABLE: {
    category: 'unavailable',
    summary: 'The database could not be reached or opened.',
  },
  SD_ERR_DATABASE_DRIVER_MISSING: {
    category: 'unavailable',
    summary: 'The driver package for the database is not installed.',
  },
  SD_ERR_MIGRATION_FAILED: {
    category: 'unavailable',
    summary: 'A database migration failed; nothing of it was kept.',
  },
  SD_ERR_DEPENDENCIES_DISABLED: {
    category: 'conflict',
    summary: 'A service cannot be enabled while services it depends on are disabled.',
  },
  SD_ERR_DEPENDENTS_ENABLED: {
    category: 'conflict',
    summary: 'A service cannot be disabled while enabled services depend on it.',
  },
  SD_ERR_SERVICE_MISSING: {
    category: 'conflict',
    summary: 'The service is in the catalog but was not found by discovery, so it cannot be started.',
  },
  SD_ERR_CONFIG_INVALID: {
    category: 'input',
    summary: "A service's configuration fails its schema; every invalid field is listed.",
  },
  SD_ERR_CONFIG_CONFLICT: {
    category: 'conflict',
    summary: 'The configuration changed since the version the edit was based on.',
  },
  SD_ERR_CONFIG_APPLY_FAILED: {
    category: 'internal',
    summary:
      'The service rejected a new configuration, or failed its health check right after; the previous one was restored.',
  },
  SD_ERR_CONFIG_VERSION_NOT_FOUND: {
    category: 'not-found',
    summary: 'No configuration version with this number exists for the service.',
  },
  SD_ERR_SECRET_KEY_MISSING: {
    category: 'unavailable',
    summary: 'The master key needed to read or write secrets is not available or is malformed.',
  },
  SD_ERR_SECRET_DECRYPT_FAILED: {
    category: 'unavailable',
    summary:
      'A stored secret cannot be decrypted with the key of its id (a different key, or an altered value).',
  },
  SD_ERR_KEY_ROTATION_NEEDS_KEY: {
    category: 'input',
    summary: 'Keys come from the environment, so a rotation needs the new key to be given.',
  },
  SD_ERR_CONFIG_FILE_INVALID: {
    category: 'input',
    summary: 'The servicedeck configuration file cannot be read or is invalid.',
  },
  SD_ERR_API_TOKEN_NOT_FOUND: { category: 'not-found', summary: 'No API token with this id exists.' },
  SD_ERR_RELOAD_UNSUPPORTED: {
    category: 'conflict',
    summary: 'The service has no module file to load again (registered in code or built in).',
  },
  SD_ERR_RELOAD_FAILED: {
    category: 'internal',
    summary: "A service's new code could not replace the running one; the previous version keeps running.",
  },
} as const satisfies Record<string, ErrorDefinition>;

/** A documented servicedeck error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Extra, structured facts about an error (service ids, file paths, …) for adapters and logs. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options of a {@link ServiceDeckError} beyond its code and message. */
export interface ServiceDeckErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
  /** Structured facts about the failure. */
  readonly details?: ErrorDetails;
  /** What the user should do next; appended to the message. */
  readonly hint?: string;
}

/**
 * The error every part of servicedeck raises.
 *
 * @example
 * ```ts
 * try { manager.getService('redis'); }
 * catch (error) { if (isServiceDeckError(error, 'SD_ERR_SERVICE_NOT_FOUND')) { … } }
 * ```
 */
export class ServiceDeckError extends Error {
  /** The stable code, documented in `docs/errors.md`. */
  public readonly code: ErrorCode;
  /** The transport-agnostic category of {@link ServiceDeckError.code}. */
  public readonly category: ErrorCategory;
  /** Structured facts about the failure. */
  public readonly details: ErrorDetails;
  /** What to do next, when known (also part of the message). */
  public readonly hint: string | undefined;
  /**
   * What went wrong: the message without the hint. An adapter that words what to do in its own terms (a
   * flag, a slash command option, a button) shows this with its own hint.
   */
  public readonly reason: string;

  public constructor(code: ErrorCode, message: string, options: ServiceDeckErrorOptions = {}) {
    super(options.hint ? `${message} ${options.hint}` : message, { cause: options.cause });
    this.name = 'ServiceDeckError';
    this.code = code;
    this.category = ERROR_CODES[code].category;
    this.details = options.details ?? {};
    this.hint = options.hint;
    this.reason = message;
  }

  /** A plain object for logs and JSON output. */
  public toJSON(): { code: ErrorCode; category: ErrorCategory; message: string; details: ErrorDetails } {
    return { code: this.code, category: this.category, message: this.message, details: this.details };
  }
}

/** Whether `error` is a {@link ServiceDeckError}, optionally with the given code. */
export function isServiceDeckError(error: unknown, code?: ErrorCode): error is ServiceDeckError {
  return error instanceof ServiceDeckError && (code === undefined || error.code === code);
}

/**
 * The message of any thrown value, for embedding in another message: on one line, without a final full
 * stop (the embedding sentence adds its own).
 */
export function describeError(error: unknown): string {
  const text = rawMessage(error).replace(/\s+/g, ' ').trim();
  return text.endsWith('.') && !text.endsWith('..') ? text.slice(0, -1) : text;
}

function rawMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
