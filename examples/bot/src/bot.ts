/**
 * How a bot starts servicedeck: one `ServiceRegistryManager` per process, discovering the bot's own
 * services (`services/*.service.js` next to this file) and the plugin packages among its dependencies,
 * with the registry's database and log level taken from the environment, and a shutdown that stops every
 * service, dependents first.
 */
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  type HealthOptions,
  type Logger,
  resolveSettings,
  ServiceRegistryManager,
} from '@servicedeck/core';

/** The bot's package directory: its package.json lists the plugin packages discovery loads. */
const BOT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The bot's own services: the compiled files when it runs from `dist/`, the TypeScript sources when it
 * runs from `src/` (tests, `tsx`).
 */
const OWN_SERVICES = import.meta.url.endsWith('.js')
  ? 'dist/services/*.service.js'
  : 'src/services/*.service.ts';

/** Options of {@link startBot}; everything has a default fit for production. */
export interface BotOptions {
  /**
   * The environment: `SERVICEDECK_DATABASE_URL` (the registry; default `sqlite:servicedeck.db`),
   * `SERVICEDECK_LOG_LEVEL`, `SERVICEDECK_MASTER_KEY`, and the `SERVICEDECK_SVC_<ID>__<KEY>` overrides of
   * service settings (default `process.env`).
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The directory a relative SQLite path, `servicedeck.config.json` and the key file are found in (default: the working directory). */
  readonly cwd?: string;
  /** Where logs go (default: JSON lines on standard error at the configured level). */
  readonly logger?: Logger;
  /** Health monitoring (default: scheduled checks). */
  readonly health?: HealthOptions;
}

/** A running bot: its registry, and how to stop it. */
export interface Bot {
  /** The registry: `manager.getService<RemindersService>('reminders')`, `manager.isEnabled('postgres')`… */
  readonly manager: ServiceRegistryManager;
  /** Stops every service, dependents first, and closes the registry. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Starts servicedeck for the bot. Services that are enabled and configured start, in dependency order; a
 * service whose dependency is not running waits (`inactive`, `waiting for "postgres" (…)`) and starts as
 * soon as it is.
 *
 * @param options - environment, working directory, logger and health options.
 */
export async function startBot(options: BotOptions = {}): Promise<Bot> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const settings = await resolveSettings({ root: BOT_ROOT }, env, cwd);
  const logger = options.logger ?? createLogger({ level: settings.logLevel });
  const manager = new ServiceRegistryManager({
    database: { url: settings.database, cwd, logger },
    discovery: {
      root: settings.root,
      plugins: settings.plugins,
      serviceGlobs: settings.services.length > 0 ? settings.services : [OWN_SERVICES],
    },
    config: { env, cwd },
    logger,
    ...(options.health === undefined ? {} : { health: options.health }),
  });
  await manager.start();
  for (const problem of manager.problems) {
    logger.warn('service skipped', { origin: problem.origin, reason: problem.error.message });
  }
  let stopping: Promise<void> | undefined;
  return {
    manager,
    shutdown: () => {
      stopping ??= manager.shutdown();
      return stopping;
    },
  };
}

/**
 * Shuts the bot down on the first of `signals`; a second signal finds no listener and ends the process
 * at once. Returns a function that removes the listeners.
 *
 * @param bot - the running bot.
 * @param target - where the signals come from (default `process`).
 * @param signals - the signals to handle (default `SIGINT` and `SIGTERM`).
 */
export function shutdownOnSignals(
  bot: Bot,
  target: NodeJS.EventEmitter = process,
  signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'],
): () => void {
  const remove = (): void => {
    for (const signal of signals) target.off(signal, onSignal);
  };
  function onSignal(): void {
    remove();
    void bot.shutdown();
  }
  for (const signal of signals) target.on(signal, onSignal);
  return remove;
}
