/**
 * The `servicedeck` command line. Commands are imported only when run, so each starts quickly.
 */
import { SERVICE_TYPES, type ServiceType } from '@servicedeck/core/catalog';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { NewPluginOptions } from './commands/new-plugin.js';
import { type ContextDefaults, createContext, type GlobalOptions, type Io } from './context.js';
import { EXIT, exitCodeFor, formatError } from './errors.js';

/** The default of `reload --timeout`, in seconds (also in commands/reload.ts, which is loaded only when run). */
const DEFAULT_RELOAD_TIMEOUT_S = 30;

const VERSION = '0.1.0';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a whole number of at least `min` (commander reports the error and exits 2). */
function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < min) {
      throw new InvalidArgumentError(`Expected a whole number${min > 0 ? ` of at least ${min}` : ''}.`);
    }
    return number;
  };
}

/** Help text after the options: notes, then examples. */
function helpAfter(notes: string, examples: readonly string[]): string {
  return `\n${notes ? `${notes}\n\n` : ''}Examples:\n${examples.map((example) => `  $ ${example}`).join('\n')}`;
}

/** The note on exit codes shared by the management commands. */
const MANAGEMENT_EXIT_CODES =
  'Exit codes: 0 done, 1 failed (unknown service, refused, conflict, database unavailable…), 2 usage or invalid input.';

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
      'run servicedeck: discover services, sync the catalog, start enabled services, follow their status until Ctrl-C (and the Discord bot, given a token)',
    )
    .addHelpText(
      'after',
      `
On a terminal the catalog is redrawn in place as checks complete, with each service's latency and last
check. Otherwise (a pipe, a log file) it is printed once and each status change adds a line:
  2026-11-23T21:30:00.000Z http: unknown → active (200 OK in 3 ms)

With SERVICEDECK_DISCORD_TOKEN set, it also runs the Discord bot (/services, alerts, the live status
message); see docs/configuration.md for the channels and who may manage.

With --watch, the compiled files of every service that comes from a plugin package or a --services file
are watched: a change reloads the service once the files are quiet for --watch-debounce ms (default 300),
and one line reports each reload:
  2026-11-23T21:30:00.000Z reload weather: ok 1.0.0 → 1.1.0 in 12 ms
A reload that fails keeps the previous version running.

Examples:
  $ servicedeck up
  $ servicedeck up --database postgres://bot@localhost:5432/bot
  $ servicedeck up --watch --watch-debounce 500
  $ SERVICEDECK_DATABASE_URL=sqlite:data/servicedeck.db servicedeck up --plugin @acme/servicedeck-weather
  $ SERVICEDECK_DISCORD_TOKEN=… SERVICEDECK_DISCORD_GUILD_ID=123456789012345678 servicedeck up`,
    )
    .option('--watch', 'reload a service when its compiled files change (for plugin authors)')
    .option(
      '--watch-debounce <ms>',
      'with --watch: milliseconds without further changes before reloading (implies --watch)',
      wholeNumber(0),
    )
    .action(
      runCommand(async (context, options: { watch?: boolean; watchDebounce?: number }) => {
        const { up } = await import('./commands/up.js');
        const watch = Boolean(options.watch) || options.watchDebounce !== undefined;
        return up(context, {
          ...(watch
            ? { watch: options.watchDebounce === undefined ? {} : { debounceMs: options.watchDebounce } }
            : {}),
        });
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

  // The management commands: one-shot, quiet unless something is wrong (like `health`).
  const quiet: ContextDefaults = { logLevel: 'warn' };

  program
    .command('list')
    .description('list the services in the catalog: type, version, enabled, status and last check')
    .addOption(new Option('--type <type>', 'only services of this type').choices([...SERVICE_TYPES]))
    .option('--enabled', 'only services whose desired state is enabled')
    .option('--json', 'print a JSON array instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `STATUS of a service that runs is what its last recorded health check found (normally the running
bot's), LAST CHECK how long ago; one that does not run shows why (disabled, not configured, waiting for
a dependency, failed to start).
--json prints [{ id, name, description, type, version, tags, dependencies, enabled, missing, status,
message, lastCheckAt }] (docs/cli.md).`,
        [
          'servicedeck list',
          'servicedeck list --type external --enabled',
          "servicedeck list --json | jq -r '.[] | select(.enabled) | .id'",
        ],
      ),
    )
    .action(
      runCommand(async (context, options: { type?: ServiceType; enabled?: boolean; json?: boolean }) => {
        const { list } = await import('./commands/services.js');
        return list(context, options);
      }, quiet),
    );

  program
    .command('status')
    .argument('<id>', 'the service')
    .description(
      'show one service in detail: status, dependencies and dependents, last checks, uptime over 24 h',
    )
    .option('--checks <n>', 'how many recent checks to show', wholeNumber(0), 5)
    .option('--json', 'print a JSON object instead of the text')
    .addHelpText(
      'after',
      helpAfter(
        `--json prints { id, name, description, type, version, tags, dependencies, enabled, missing, status,
message, lastCheckAt, dependents, source, lastCheck, uptime: { windowHours, checks, active, ratio },
checks: [{ status, latencyMs, message, cause, checkedAt, instanceId }] } (docs/cli.md).`,
        [
          'servicedeck status redis',
          'servicedeck status redis --checks 20',
          'servicedeck status redis --json | jq .uptime.ratio',
        ],
      ),
    )
    .action(
      runCommand(async (context, id: string, options: { checks?: number; json?: boolean }) => {
        const { status } = await import('./commands/services.js');
        return status(context, id, options);
      }, quiet),
    );

  program
    .command('enable')
    .argument('<id>', 'the service to enable')
    .description(
      'enable a service (and, if asked, its disabled dependencies): print the plan, then each outcome',
    )
    .option('--with-dependencies', 'enable its disabled dependencies first, instead of refusing')
    .option('--dry-run', 'print the plan only; change nothing')
    .addHelpText(
      'after',
      helpAfter(
        `The desired state is stored in the database and audited with your OS user via cli; the command runs
no service itself. Every running servicedeck process (the bot, servicedeck up) starts the services
within moments: servicedeck status <id> shows the outcome. Enabling a service whose dependencies are
disabled is refused (exit 1, listing them) unless --with-dependencies.
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck enable redis',
          'servicedeck enable api --with-dependencies --dry-run',
          'servicedeck enable api --with-dependencies',
        ],
      ),
    )
    .action(
      runCommand(async (context, id: string, options: { withDependencies?: boolean; dryRun?: boolean }) => {
        const { enable } = await import('./commands/lifecycle.js');
        return enable(context, id, options);
      }, quiet),
    );

  program
    .command('disable')
    .argument('<id>', 'the service to disable')
    .description(
      'disable a service (and, if asked, its enabled dependents): print the plan, then each outcome',
    )
    .option('--cascade', 'disable its enabled dependents first, instead of refusing')
    .option('--dry-run', 'print the plan only; change nothing')
    .addHelpText(
      'after',
      helpAfter(
        `The desired state is stored in the database and audited with your OS user via cli; every running
servicedeck process stops the service by itself, after its work in flight. Disabling a service that
enabled services depend on is refused (exit 1, listing them) unless --cascade.
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck disable redis',
          'servicedeck disable database --cascade --dry-run',
          'servicedeck disable database --cascade',
        ],
      ),
    )
    .action(
      runCommand(async (context, id: string, options: { cascade?: boolean; dryRun?: boolean }) => {
        const { disable } = await import('./commands/lifecycle.js');
        return disable(context, id, options);
      }, quiet),
    );

  program
    .command('reload')
    .argument('<id>', 'the service whose new code to load')
    .description(
      "load a service's new code from disk, check it, and wait for every running servicedeck process to apply it",
    )
    .option(
      '--timeout <seconds>',
      'how long to wait for the running processes',
      wholeNumber(1),
      DEFAULT_RELOAD_TIMEOUT_S,
    )
    .option('--no-wait', 'record the reload and return without waiting for the running processes')
    .option('--json', 'print a JSON object instead of the text')
    .addHelpText(
      'after',
      helpAfter(
        `The service's module file is imported afresh here and its metadata, settings and dependencies are
checked: a syntax error or bad metadata is reported right away (with the stage that failed) and nothing
is recorded. Otherwise the reload is recorded and audited with your OS user via cli, and every running
servicedeck process (the bot, servicedeck up) swaps the running instance for the new code, keeping the
previous one when the new one fails. The command waits for each of them to audit its outcome (up to
--timeout) and prints them; with no process running, the new code is loaded at the next start. Only
services from plugin packages or --services files can be reloaded.
--json prints { serviceId, result, applied, revision, previousVersion, version, stage, error, rolledBack,
running, status, message, dependents, durationMs, wait, timeoutSeconds, processes: [{ instanceId, hostname,
pid, result, revision, previousVersion, version, stage, reason, rolledBack, durationMs, at }] } (docs/cli.md).
Exit codes: 0 reloaded everywhere (or no process runs), 1 failed here or in a process, or a process did not
answer in time (the reload stays recorded), unknown service, not reloadable…; 2 usage error.`,
        [
          'servicedeck reload weather',
          'servicedeck reload weather --timeout 60',
          'servicedeck reload weather --json | jq \'.processes[] | select(.result != "ok")\'',
          'servicedeck reload weather --no-wait',
        ],
      ),
    )
    .action(
      runCommand(
        async (context, id: string, options: { timeout?: number; wait?: boolean; json?: boolean }) => {
          const { reload } = await import('./commands/reload.js');
          return reload(context, id, options);
        },
        // A failed reload is the report itself, not a warning to log as well.
        { logLevel: 'error' },
      ),
    );

  const config = program
    .command('config')
    .description("read and change a service's settings: validated, versioned, audited, secrets never shown")
    .addHelpText(
      'after',
      helpAfter(
        `Every change is validated against the service's schema before anything is stored (exit 2 with every
invalid setting listed), stored as a new version audited with your OS user via cli, and picked up by the
running bot. Secrets are never accepted on the command line: use --stdin or the prompt.`,
        [
          'servicedeck config get github',
          'servicedeck config set github owner=acme timeoutMs=5000',
          'printf \'%s\' "$GITHUB_TOKEN" | servicedeck config set github token --stdin',
          'servicedeck config history github',
          'servicedeck config rollback github 3',
        ],
      ),
    );

  config
    .command('get')
    .argument('<id>', 'the service')
    .description('show its settings: value (secrets as ••••••), where each comes from, the version, problems')
    .option('--json', 'print a JSON object instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `SOURCE is stored, default, env (with the variable that overrides it) or unset.
--json prints { serviceId, version, liveConfig, pendingRestart, fields: [{ key, value, source, secret,
envVar, overridden }], problems: [{ path, message }] } (docs/cli.md).`,
        [
          'servicedeck config get github',
          'servicedeck config get github --json | jq \'.fields[] | select(.source == "unset")\'',
        ],
      ),
    )
    .action(
      runCommand(async (context, id: string, options: { json?: boolean }) => {
        const { configGet } = await import('./commands/config.js');
        return configGet(context, id, options);
      }, quiet),
    );

  config
    .command('set')
    .argument('<id>', 'the service')
    .argument(
      '<settings...>',
      'key=value pairs; a bare key is read from standard input (--stdin) or asked for',
    )
    .description(
      'change settings: one new version, validated first; every running servicedeck process applies it',
    )
    .option('--stdin', 'read the value of the one bare key from standard input (for secrets)')
    .option('--expect-version <n>', 'refuse (exit 1) if the stored version is no longer n', wholeNumber(0))
    .addHelpText(
      'after',
      helpAfter(
        `A value is parsed as JSON when it parses (5, true, {"a":1}, '"5"' for the string 5), else taken as a
string. A secret is refused on the command line (it would stay in the shell history): give its name
alone, with --stdin to read the value from a pipe, or on a terminal to be asked for it with echo off.
A value read or typed that way is taken as it is when the setting is a string, else parsed the same way.
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck config set github owner=acme timeoutMs=5000',
          'printf \'%s\' "$GITHUB_TOKEN" | servicedeck config set github token --stdin',
          'servicedeck config set github token',
          'servicedeck config set github owner=acme --expect-version 4',
        ],
      ),
    )
    .action(
      runCommand(
        async (
          context,
          id: string,
          settings: string[],
          options: { stdin?: boolean; expectVersion?: number },
        ) => {
          const { configSet } = await import('./commands/config.js');
          return configSet(context, id, settings, options);
        },
        quiet,
      ),
    );

  config
    .command('unset')
    .argument('<id>', 'the service')
    .argument('<keys...>', 'the settings to remove (their defaults apply again)')
    .description('remove settings: one new version, validated first')
    .option('--expect-version <n>', 'refuse (exit 1) if the stored version is no longer n', wholeNumber(0))
    .addHelpText(
      'after',
      helpAfter(MANAGEMENT_EXIT_CODES, [
        'servicedeck config unset github owner',
        'servicedeck config unset http timeoutMs retries',
      ]),
    )
    .action(
      runCommand(async (context, id: string, keys: string[], options: { expectVersion?: number }) => {
        const { configUnset } = await import('./commands/config.js');
        return configUnset(context, id, keys, options);
      }, quiet),
    );

  config
    .command('history')
    .argument('<id>', 'the service')
    .description('list its configuration versions, newest first: when, by whom, what changed')
    .option('--limit <n>', 'at most n versions', wholeNumber(1), 20)
    .option('--json', 'print a JSON array instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `--json prints [{ version, actor, adapter, createdAt, values, changes: [{ key, from, to }] }] (docs/cli.md).`,
        ['servicedeck config history github', 'servicedeck config history github --limit 5 --json'],
      ),
    )
    .action(
      runCommand(async (context, id: string, options: { limit?: number; json?: boolean }) => {
        const { configHistory } = await import('./commands/config.js');
        return configHistory(context, id, options);
      }, quiet),
    );

  config
    .command('rollback')
    .argument('<id>', 'the service')
    .argument('<version>', 'the version whose settings become current again', wholeNumber(1))
    .description("make an earlier version's settings current again, as a new version")
    .option('--expect-version <n>', 'refuse (exit 1) if the stored version is no longer n', wholeNumber(0))
    .addHelpText(
      'after',
      helpAfter(MANAGEMENT_EXIT_CODES, [
        'servicedeck config rollback github 3',
        'servicedeck config rollback github 3 --expect-version 7',
      ]),
    )
    .action(
      runCommand(async (context, id: string, version: number, options: { expectVersion?: number }) => {
        const { configRollback } = await import('./commands/config.js');
        return configRollback(context, id, version, options);
      }, quiet),
    );

  const keys = program
    .command('keys')
    .description('manage the master key that encrypts secrets')
    .addHelpText('after', helpAfter('', ['servicedeck keys rotate']));

  keys
    .command('rotate')
    .description('re-encrypt every stored secret (current and in history) with a new master key')
    .option(
      '--new-key-stdin',
      'read the new key (32 bytes, base64) from standard input; needed with SERVICEDECK_MASTER_KEY',
    )
    .addHelpText(
      'after',
      helpAfter(
        `With a key file, a new key is generated and saved in it. With SERVICEDECK_MASTER_KEY, give the new key
on standard input, then set it as SERVICEDECK_MASTER_KEY everywhere (the old one in
SERVICEDECK_MASTER_KEY_PREVIOUS until every process has it).
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck keys rotate',
          `NEW_KEY=$(node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
          'printf \'%s\' "$NEW_KEY" | servicedeck keys rotate --new-key-stdin',
        ],
      ),
    )
    .action(
      runCommand(async (context, options: { newKeyStdin?: boolean }) => {
        const { rotateKeys } = await import('./commands/keys.js');
        return rotateKeys(context, options);
      }, quiet),
    );

  const web = program
    .command('web')
    .description('the web dashboard that servicedeck up serves')
    .addHelpText('after', helpAfter('', ['servicedeck web login']));

  web
    .command('login')
    .description('print a one-time login link to the dashboard (for a running servicedeck up)')
    .option('--json', 'print { url, token, validMinutes }')
    .addHelpText(
      'after',
      helpAfter(
        `The link opens a session as your OS user (with the manage permission) in the dashboard that
servicedeck up serves on SERVICEDECK_WEB_HOST:SERVICEDECK_WEB_PORT (or SERVICEDECK_WEB_PUBLIC_URL). It works
once, within 15 minutes, and is audited as login.create.
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck web login',
          'SERVICEDECK_WEB_PUBLIC_URL=https://deck.example.org servicedeck web login',
        ],
      ),
    )
    .action(
      runCommand(async (context, options: { json?: boolean }) => {
        const { webLogin } = await import('./commands/web.js');
        return webLogin(context, options);
      }, quiet),
    );

  const tokens = program
    .command('tokens')
    .description('API tokens for automation (the dashboard HTTP API, Prometheus)')
    .addHelpText(
      'after',
      helpAfter('', ['servicedeck tokens create grafana --scope read', 'servicedeck tokens list']),
    );

  tokens
    .command('create')
    .argument('<name>', 'what uses it (grafana, deploy…)')
    .description('create an API token; it is printed once, on standard output')
    .addOption(
      new Option('--scope <scope>', 'read: look only; manage: also enable, disable, configure')
        .choices(['read', 'manage'])
        .makeOptionMandatory(),
    )
    .option('--json', 'print { token, info }')
    .addHelpText(
      'after',
      helpAfter(
        `Only a hash of the token is stored: store it when it is printed. Send it as
"Authorization: Bearer <token>". Audited as token.create.
${MANAGEMENT_EXIT_CODES}`,
        [
          'servicedeck tokens create deploy --scope manage --json',
          'TOKEN=$(servicedeck tokens create grafana --scope read)',
        ],
      ),
    )
    .action(
      runCommand(async (context, name: string, options: { scope: 'read' | 'manage'; json?: boolean }) => {
        const { createToken } = await import('./commands/web.js');
        return createToken(context, name, options);
      }, quiet),
    );

  tokens
    .command('list')
    .description('list API tokens with their scope and last use (never the tokens)')
    .option(
      '--json',
      'print a JSON array of { id, name, scope, prefix, createdBy, createdAt, lastUsedAt, revokedAt }',
    )
    .addHelpText(
      'after',
      helpAfter(MANAGEMENT_EXIT_CODES, ['servicedeck tokens list', 'servicedeck tokens list --json']),
    )
    .action(
      runCommand(async (context, options: { json?: boolean }) => {
        const { listTokens } = await import('./commands/web.js');
        return listTokens(context, options);
      }, quiet),
    );

  tokens
    .command('revoke')
    .argument('<id>', 'the token id (servicedeck tokens list)', wholeNumber(1))
    .description('revoke an API token: requests with it are refused from now on')
    .addHelpText(
      'after',
      helpAfter(`Audited as token.revoke.\n${MANAGEMENT_EXIT_CODES}`, ['servicedeck tokens revoke 3']),
    )
    .action(
      runCommand(async (context, id: number) => {
        const { revokeToken } = await import('./commands/web.js');
        return revokeToken(context, id);
      }, quiet),
    );

  program
    .command('audit')
    .argument('[id]', 'only entries about this service')
    .description('show the audit log, newest first: who did what, through which adapter, with what result')
    .option('--limit <n>', 'at most n entries', wholeNumber(1), 50)
    .option(
      '--action <action>',
      'only this action (enable, disable, config.update, config.rollback, keys.rotate…)',
    )
    .option('--json', 'print a JSON array instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `--json prints [{ id, at, actor, adapter, action, serviceId, result, details, instanceId }] (docs/cli.md).`,
        [
          'servicedeck audit',
          'servicedeck audit github --limit 10',
          'servicedeck audit --action config.update --json',
        ],
      ),
    )
    .action(
      runCommand(
        async (
          context,
          id: string | undefined,
          options: { limit?: number; action?: string; json?: boolean },
        ) => {
          const { audit } = await import('./commands/audit.js');
          return audit(context, id, options);
        },
        quiet,
      ),
    );

  program
    .command('discover')
    .description(
      'show what discovery finds where — plugin packages, services in start order — and why anything is skipped',
    )
    .option('--json', 'print a JSON object instead of the text')
    .option('--strict', 'exit 1 when anything is skipped')
    .addHelpText(
      'after',
      helpAfter(
        `Runs discovery exactly as servicedeck up does (the same --root, --plugin and --services), imports the
service files, and checks metadata and the dependency graph. It opens no database and runs no service.
--json prints { root, packages: [{ name, version, directory, services }], services: [{ id, name, type,
version, dependencies, source }], skipped: [{ origin, serviceId, code, message, hint }] } (docs/cli.md).
Exit codes: 0 done (1 with --strict when something is skipped), 2 usage error.`,
        [
          'servicedeck discover',
          'servicedeck discover --plugin @acme/servicedeck-weather',
          'servicedeck discover --strict --json | jq .skipped',
        ],
      ),
    )
    .action(
      runCommand(
        async (context, options: { json?: boolean; strict?: boolean }) => {
          const { discover } = await import('./commands/discover.js');
          return discover(context, options);
          // What is skipped is the report itself, not a warning to log as well.
        },
        { logLevel: 'error' },
      ),
    );

  const db = program
    .command('db')
    .description("the database's schema: which migrations are applied, and applying the pending ones");
  db.command('status')
    .description('list every schema migration and whether the database has it')
    .option('--json', 'print a JSON object instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `Reads only. --json prints { database, migrations: [{ name, applied }], pending } (docs/cli.md).
${MANAGEMENT_EXIT_CODES}`,
        ['servicedeck db status', 'servicedeck db status --database postgres://bot@localhost/bot --json'],
      ),
    )
    .action(
      runCommand(async (context, options: { json?: boolean }) => {
        const { dbStatus } = await import('./commands/db.js');
        return dbStatus(context, options);
      }, quiet),
    );
  db.command('migrate')
    .description('apply the pending schema migrations (servicedeck up also applies them at start)')
    .option('--json', 'print a JSON object instead of the table')
    .addHelpText(
      'after',
      helpAfter(
        `Each migration runs in its own transaction, under a lock that keeps other processes from migrating at
the same time; a failed one leaves the database as it was before it. Creates a new SQLite file.
--json prints { database, migrations, pending, applied } (docs/cli.md).
${MANAGEMENT_EXIT_CODES}`,
        ['servicedeck db migrate', 'SERVICEDECK_DATABASE_URL=postgres://bot@db/bot servicedeck db migrate'],
      ),
    )
    .action(
      runCommand(async (context, options: { json?: boolean }) => {
        const { dbMigrate } = await import('./commands/db.js');
        return dbMigrate(context, options);
      }, quiet),
    );

  program
    .command('new')
    .description('create something for servicedeck: a plugin package')
    .command('plugin')
    .argument(
      '<name>',
      'a service id (weather) or a package name (servicedeck-weather, @acme/servicedeck-weather)',
    )
    .description(
      'scaffold a plugin package: a service with a config schema and a health check, its test, README',
    )
    .option('--dir <dir>', 'where to write it (default: ./<package name without its scope>)')
    .addOption(
      new Option('--type <type>', "the service's type").choices([...SERVICE_TYPES]).default('external'),
    )
    .option('--description <text>', 'one line saying what the service is for')
    .option('--force', 'replace the directory if it exists and is not empty (its files are deleted)')
    .option('--json', 'print a JSON object instead of the text')
    .addHelpText(
      'after',
      helpAfter(
        `A bare service id gets the package name servicedeck-plugin-<id>; a package name is kept, and its service
id is the name without its scope and a servicedeck-plugin- or servicedeck- prefix. Files are written
next to the target and moved into place at the end: a failure writes nothing. npm test in the new
package builds it and runs its own test (node --test, offline).
--json prints { packageName, serviceId, className, type, directory, files } (docs/cli.md).
Exit codes: 0 written, 1 cannot write, 2 invalid name or option, or a non-empty directory without --force.`,
        [
          'servicedeck new plugin weather',
          'servicedeck new plugin @acme/servicedeck-weather --type wrapper --dir packages/weather',
          'servicedeck new plugin redis-cache --description "Checks the cache API" --json',
        ],
      ),
    )
    .action(
      runCommand(async (context, name: string, options: NewPluginOptions) => {
        const { newPlugin } = await import('./commands/new-plugin.js');
        return newPlugin(context, name, options);
      }, quiet),
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
  io: Io = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  },
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
