/**
 * What every command shares: global options, resolved settings, the logger, and output streams.
 */
import {
  createLogger,
  type Logger,
  type LogLevel,
  resolveSettings,
  type ServiceDeckSettings,
} from '@servicedeck/core';
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

/** Where a command writes. */
export interface Io {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** A command's context. */
export interface CommandContext {
  readonly settings: ServiceDeckSettings;
  readonly logger: Logger;
  readonly style: Styler;
  readonly io: Io;
  /** Writes a line to standard output. */
  print(line: string): void;
}

/** Resolves settings from the global options and builds the context. */
export async function createContext(options: GlobalOptions, io: Io): Promise<CommandContext> {
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
  const logger = createLogger({
    level: options.verbose ? 'debug' : settings.logLevel,
    format: options.logFormat ?? (io.stderr.isTTY ? 'pretty' : 'json'),
    stream: io.stderr,
  });
  return {
    settings,
    logger,
    style: createStyler(useColor(io.stdout, io.env)),
    io,
    print: (line) => {
      io.stdout.write(`${line}\n`);
    },
  };
}
