/**
 * The `servicedeck` command line. Commands are imported only when run, so each starts quickly.
 */
import { Command, CommanderError, Option } from 'commander';
import { type ContextDefaults, createContext, type GlobalOptions, type Io } from './context.js';
import { EXIT, exitCodeFor, formatError } from './errors.js';

const VERSION = '0.1.0';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Builds the program; `onAction` receives each command's exit code. */
export function createProgram(io: Io, onExit: (code: number) => void): Command {
  const program = new Command('servicedeck')
    .description('See and control every service your bot depends on.')
    .version(VERSION, '-V, --version')
    .option(
      '-d, --database <url>',
      'SQLite file or PostgreSQL URL (env SERVICEDECK_DATABASE_URL; default sqlite:servicedeck.db)',
    )
    .option(
      '--root <dir>',
      "the bot's project directory, whose package.json lists plugins (default: the config file's directory or cwd)",
    )
    .option(
      '-c, --config <file>',
      'configuration file (env SERVICEDECK_CONFIG; default ./servicedeck.config.json if present)',
    )
    .option('--plugin <package>', 'load this plugin package too (repeatable)', collect)
    .option('--services <glob>', "glob of the bot's own compiled service files (repeatable)", collect)
    .addOption(
      new Option('--log-level <level>', 'least severe log level').choices(['debug', 'info', 'warn', 'error']),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log line format (default: pretty on a terminal, json otherwise)',
      ).choices(['pretty', 'json']),
    )
    .option('-v, --verbose', 'debug logs, and stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const runCommand =
    <A extends unknown[]>(
      body: (context: Awaited<ReturnType<typeof createContext>>, ...args: A) => Promise<number>,
      defaults: ContextDefaults = {},
    ) =>
    async (...args: A): Promise<void> => {
      const options = program.opts<GlobalOptions>();
      try {
        const context = await createContext(options, io, defaults);
        onExit(await body(context, ...args));
      } catch (error) {
        io.stderr.write(`${formatError(error, Boolean(options.verbose))}\n`);
        onExit(exitCodeFor(error));
      }
    };

  program
    .command('up')
    .description(
      'run servicedeck: discover services, sync the catalog, start enabled services, follow their status until Ctrl-C',
    )
    .addHelpText(
      'after',
      `
On a terminal the catalog is redrawn in place as checks complete, with each service's latency and last
check. Otherwise (a pipe, a log file) it is printed once and each status change adds a line:
  2026-11-23T21:30:00.000Z http: unknown → active (200 OK in 3 ms)

Examples:
  $ servicedeck up
  $ servicedeck up --database postgres://bot@localhost:5432/bot
  $ SERVICEDECK_DATABASE_URL=sqlite:data/servicedeck.db servicedeck up --plugin @acme/servicedeck-weather`,
    )
    .action(
      runCommand(async (context) => {
        const { up } = await import('./commands/up.js');
        return up(context);
      }),
    );

  program
    .command('health')
    .argument('[id]', 'the service to check (default: every service)')
    .description('check every service (or one) once, now, and print the results; exit 3 when one is in error')
    .option('--json', 'print a JSON array of results instead of the table')
    .addHelpText(
      'after',
      `
Each running service's healthCheck() is called once, now: the schedule's thresholds do not apply, so one
failed check is an error here. A disabled or not configured service is shown as inactive with the reason,
which is not a failure; one that failed to start is in error. Works whether or not the bot is running.
--json prints [{ serviceId, status, checked, latencyMs, message, cause, checkedAt, details }] (docs/cli.md).

Exit codes: 0 no service in error, 3 a service is in error, 1 failed (database unavailable, unknown
service…), 2 usage error.

Examples:
  $ servicedeck health
  $ servicedeck health redis
  $ servicedeck health --json | jq '.[] | select(.status == "error") | .serviceId'
  $ servicedeck health || echo "something is unhealthy"`,
    )
    .action(
      runCommand(
        async (context, id: string | undefined, options: { json?: boolean }) => {
          const { health } = await import('./commands/health.js');
          return health(context, id, { json: Boolean(options.json) });
        },
        // A one-off command: its own start-up and shutdown are not news, warnings and errors are.
        { logLevel: 'warn' },
      ),
    );

  return program;
}

/**
 * Runs the command line and resolves with the exit code (0 ok, 1 failed, 2 usage error, 3 a service is in
 * `error` per `health`).
 *
 * @param argv - `process.argv`-style arguments (node, script, …args).
 */
export async function run(
  argv: readonly string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() },
): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram(io, (exit) => {
    code = exit;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
      )
        return EXIT.ok;
      if (error.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    io.stderr.write(`${formatError(error, false)}\n`);
    return EXIT.failed;
  }
  return code;
}
