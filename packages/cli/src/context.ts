/**
 * What every command shares: global options, resolved settings, the logger, and output streams.
 */
import {
  createLogger,
  type Logger,
  type LogLevel,
  resolveSettings,
  type ServiceDeckSettings,
} from '@servicedeck/core/catalog';
import { createStyler, type Styler, useColor } from './output/style.js';

/** Options every command accepts. */
export interface GlobalOptions {
  readonly database?: string;
  readonly root?: string;
  readonly config?: string;
  readonly plugin?: string[];
  readonly services?: string[];
  readonly logLevel?: LogLevel;
  readonly logFormat?: 'pretty' | 'json';
  readonly verbose?: boolean;
}

/** Standard input, for values that must not be given on the command line (secrets). */
export type Input = NodeJS.ReadableStream & {
  isTTY?: boolean;
  /** Present on a terminal: turns echo and line editing off (hidden prompts). */
  setRawMode?(mode: boolean): unknown;
};

/** Where a command reads and writes. */
export interface Io {
  /** Standard input (default: none, as if empty and not a terminal). */
  readonly stdin?: Input;
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/**
 * Every log line passes through here, so a display that redraws itself on the terminal (the live table of
 * `up`, the progress line of `health`) can erase itself before a log line and draw itself again after it.
 */
export interface LogTap {
  /** When set, called with each log line's write instead of writing it; it must call `write` once. */
  around: ((write: () => void) => void) | undefined;
}

/** A command's context. */
export interface CommandContext {
  readonly settings: ServiceDeckSettings;
  readonly logger: Logger;
  readonly style: Styler;
  readonly io: Io;
  /** Where the logger's lines pass on their way to standard error. */
  readonly logTap: LogTap;
  /** Writes a line to standard output. */
  print(line: string): void;
}

/** What a command changes in the context's defaults. */
export interface ContextDefaults {
  /**
   * The log level when none is given by `--log-level`, `SERVICEDECK_LOG_LEVEL` or the configuration file
   * (one-shot commands such as `health` are quieter than `up`).
   */
  readonly logLevel?: LogLevel;
}

/** Resolves settings from the global options and builds the context. */
export async function createContext(
  options: GlobalOptions,
  io: Io,
  defaults: ContextDefaults = {},
): Promise<CommandContext> {
  const settings = await resolveSettings(
    {
      ...(options.database === undefined ? {} : { database: options.database }),
      ...(options.root === undefined ? {} : { root: options.root }),
      ...(options.config === undefined ? {} : { configFile: options.config }),
      ...(options.plugin === undefined ? {} : { plugins: options.plugin }),
      ...(options.services === undefined ? {} : { services: options.services }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    },
    io.env,
    io.cwd,
  );
  const logTap: LogTap = { around: undefined };
  const logger = createLogger({
    level: options.verbose
      ? 'debug'
      : settings.origins.logLevel === 'default'
        ? (defaults.logLevel ?? settings.logLevel)
        : settings.logLevel,
    format: options.logFormat ?? (io.stderr.isTTY ? 'pretty' : 'json'),
    stream: {
      write: (chunk: string) => {
        const write = (): void => {
          io.stderr.write(chunk);
        };
        if (logTap.around) logTap.around(write);
        else write();
        return true;
      },
    },
  });
  return {
    settings,
    logger,
    style: createStyler(useColor(io.stdout, io.env)),
    io,
    logTap,
    print: (line) => {
      io.stdout.write(`${line}\n`);
    },
  };
}
