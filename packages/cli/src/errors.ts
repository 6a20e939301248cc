/**
 * Maps errors to one clear line and an exit code, in one place.
 *
 * Exit codes: 0 ok, 1 operation failed, 2 usage or input error, 3 a health check found a service in error.
 */
import {
  type ErrorCategory,
  type ErrorCode,
  isServiceDeckError,
  type ServiceDeckError,
} from '@servicedeck/core/catalog';

/** The documented exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unhealthy: 3 } as const;

const CATEGORY_EXIT: Record<ErrorCategory, number> = {
  input: EXIT.usage,
  'not-found': EXIT.failed,
  conflict: EXIT.failed,
  'not-allowed': EXIT.failed,
  unavailable: EXIT.failed,
  internal: EXIT.failed,
};

/**
 * An error of the command line itself (a secret given as an argument, a missing value, a bad key), with
 * its exit code: 2 (usage) unless said otherwise. Printed as `error: message`.
 */
export class CliError extends Error {
  public constructor(
    message: string,
    public readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for an error. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  return isServiceDeckError(error) ? CATEGORY_EXIT[error.category] : EXIT.failed;
}

/** What to do, in the CLI's terms, where core's hint is worded for any adapter. */
const CLI_HINTS: Partial<Record<ErrorCode, string>> = {
  SD_ERR_DEPENDENCIES_DISABLED: 'Enable them first, or add --with-dependencies to enable them together.',
  SD_ERR_DEPENDENTS_ENABLED: 'Disable them first, or add --cascade to disable them too.',
  SD_ERR_CONFIG_VERSION_NOT_FOUND: 'List the versions with servicedeck config history <id>.',
  SD_ERR_RELOAD_UNSUPPORTED:
    'Restart servicedeck up (or the bot) to load its new code; only services from a plugin package or a --services file can be reloaded.',
};

/** The error's message, with what to do in the CLI's terms. */
export function errorMessage(error: ServiceDeckError): string {
  const hint = CLI_HINTS[error.code] ?? error.hint;
  return hint ? `${error.reason} ${hint}` : error.reason;
}

/** One line for the user: `error SD_ERR_…: message`; with `verbose`, the stack and causes follow. */
export function formatError(error: unknown, verbose: boolean): string {
  const head = isServiceDeckError(error)
    ? `error ${error.code}: ${errorMessage(error)}`
    : `error: ${error instanceof Error ? error.message : String(error)}`;
  if (!verbose) return head;
  const lines = [head];
  let current: unknown = error;
  while (current instanceof Error) {
    if (current.stack) lines.push(current.stack);
    current = current.cause;
    if (current !== undefined) lines.push('caused by:');
  }
  return lines.join('\n');
}
