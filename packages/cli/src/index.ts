/**
 * `@servicedeck/cli`: the `servicedeck` command, also usable as a library.
 *
 * @packageDocumentation
 */

export type { CommandContext, GlobalOptions, Input, Io } from './context.js';
export { CliError, EXIT, exitCodeFor, formatError } from './errors.js';
export { createProgram, run } from './main.js';
