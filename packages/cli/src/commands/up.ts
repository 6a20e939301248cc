/**
 * `servicedeck up`: the main job. Discovers services, syncs the catalog, starts what is enabled, shows the
 * catalog and follows every status change live, serves the web dashboard, connects the Discord bot when a
 * token is configured, and runs until Ctrl-C or SIGTERM, then stops services in reverse dependency order.
 */
import { describeError, redactUrl, type ServiceRegistryManager, ServiceWatcher } from '@servicedeck/core';
import type { DiscordBot, DiscordBotOptions } from '@servicedeck/discord-adapter';
import type { WebDashboard, WebDashboardOptions } from '@servicedeck/web-adapter';
import type { CommandContext } from '../context.js';
import { EXIT, formatError } from '../errors.js';
import { formatWatchReload } from '../output/reload.js';
import { cliActor, createManager } from '../runtime.js';
import { LiveView, type LiveViewOptions } from './live-view.js';

/** Options of `up`. */
export interface UpOptions {
  /** Resolves when the process should stop (default: the first SIGINT or SIGTERM). */
  readonly until?: Promise<string>;
  /** How the live status is shown (tests pin the clock and the throttle). */
  readonly live?: LiveViewOptions;
  /** How the Discord client is made (tests stub its login; default: a real client). */
  readonly discord?: Pick<DiscordBotOptions, 'createClient' | 'retryDelaysMs'>;
  /** Watch the services' files and reload a service when they change (`--watch`); off when absent. */
  readonly watch?: WatchOptions;
}

/** Options of the watch mode of `up`. */
export interface WatchOptions {
  /** Milliseconds without a change before reloading (default 300). */
  readonly debounceMs?: number;
}

/**
 * Starts watching the files of every service that comes from a module file: each reload is reported with
 * one line through `note`, and the directories watched are logged and printed.
 */
async function startWatch(
  context: CommandContext,
  manager: ServiceRegistryManager,
  options: WatchOptions,
  note: (line: string) => void,
): Promise<ServiceWatcher> {
  const logger = context.logger.child({ adapter: 'watch' });
  const debounceMs = options.debounceMs ?? 300;
  const watcher = new ServiceWatcher(manager, {
    debounceMs,
    actor: cliActor(context.io.env),
    logger,
  });
  watcher.events.on('reload', (result) => note(formatWatchReload(result, new Date(), context.style)));
  // The watcher logs these too; the line says it where the reloads are reported.
  watcher.events.on('error', (error) =>
    note(`${new Date().toISOString()} watch: ${formatError(error, false)}`),
  );
  await watcher.start();
  const directories = watcher.watching;
  if (directories.length === 0) {
    note('Watching nothing: no service comes from a plugin package or a --services file.');
  } else {
    note(
      `Watching ${directories.length === 1 ? 'a directory' : `${directories.length} directories`} for changes to service files (reload after ${debounceMs} ms without changes): ${directories.join(', ')}`,
    );
  }
  return watcher;
}

/**
 * Serves the web dashboard and HTTP API (unless turned off) and prints a one-time login link. A port in
 * use is logged, not fatal: the rest of servicedeck runs on.
 */
async function startWeb(
  context: CommandContext,
  manager: ServiceRegistryManager,
  print: (line: string) => void,
): Promise<WebDashboard | undefined> {
  const { web, discord } = context.settings;
  if (!web.enabled) return undefined;
  const logger = context.logger.child({ adapter: 'web' });
  const { WebDashboard } = await import('@servicedeck/web-adapter');
  let oauth: WebDashboardOptions['oauth'];
  if (web.discordClientId !== null || web.discordClientSecret !== null) {
    const missing = [
      web.discordClientId === null ? 'SERVICEDECK_WEB_DISCORD_CLIENT_ID' : null,
      web.discordClientSecret === null ? 'SERVICEDECK_WEB_DISCORD_CLIENT_SECRET' : null,
      discord.guildId === null ? 'SERVICEDECK_DISCORD_GUILD_ID' : null,
      web.publicUrl === null ? 'SERVICEDECK_WEB_PUBLIC_URL' : null,
    ].filter((name): name is string => name !== null);
    if (missing.length > 0) {
      logger.error('Discord login is not set up completely; the dashboard uses login links only', {
        hint: `Set ${missing.join(', ')}; see docs/configuration.md#the-web-dashboard.`,
      });
    } else {
      oauth = {
        clientId: web.discordClientId as string,
        clientSecret: web.discordClientSecret as string,
        guildId: discord.guildId as string,
        owners: discord.owners,
        managers: discord.managers,
        readers: discord.readers,
      };
    }
  }
  const dashboard = new WebDashboard(manager, {
    host: web.host,
    port: web.port,
    logger,
    ownerName: cliActor(context.io.env).actor,
    ...(web.publicUrl === null ? {} : { publicUrl: web.publicUrl }),
    ...(oauth ? { oauth } : {}),
  });
  let url: string;
  try {
    url = await dashboard.listen();
  } catch (error) {
    await dashboard.close().catch(() => undefined);
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    logger.error('the dashboard could not start; servicedeck runs on without it', {
      error: describeError(error),
      hint: busy
        ? `Port ${web.port} is in use: set SERVICEDECK_WEB_PORT to a free port (or SERVICEDECK_WEB=off).`
        : ((error as { hint?: string }).hint ?? 'See docs/configuration.md#the-web-dashboard.'),
    });
    return undefined;
  }
  const base = (web.publicUrl ?? url).replace(/\/$/, '');
  const token = await dashboard.issueLoginToken(cliActor(context.io.env));
  print(
    `Dashboard: ${base} — log in with ${base}/login?token=${token} (one use, within 15 minutes; servicedeck web login makes another).`,
  );
  logger.info('dashboard listening', { url, publicUrl: web.publicUrl });
  return dashboard;
}

/**
 * Starts the Discord bot when `SERVICEDECK_DISCORD_TOKEN` is set. Logging in goes on in the background:
 * the catalog runs whether or not Discord is reachable. discord.js is loaded only then.
 */
async function startDiscord(
  context: CommandContext,
  manager: ServiceRegistryManager,
  options: UpOptions,
): Promise<DiscordBot | undefined> {
  const { discord } = context.settings;
  const logger = context.logger.child({ adapter: 'discord' });
  if (discord.token === null) {
    const configured =
      discord.guildId !== null || discord.alertsChannelId !== null || discord.statusChannelId !== null;
    if (configured) {
      logger.warn('Discord settings found but no bot token: running without Discord', {
        hint: 'Set SERVICEDECK_DISCORD_TOKEN to the bot token (Developer Portal › Bot) and restart.',
      });
    }
    return undefined;
  }
  const { startDiscordBot } = await import('@servicedeck/discord-adapter');
  logger.info('connecting to Discord', {
    commands: discord.guildId === null ? 'global' : `guild ${discord.guildId}`,
    alerts: discord.alertsChannelId,
    liveStatus: discord.statusChannelId,
  });
  return startDiscordBot(manager, {
    token: discord.token,
    logger,
    access: { owners: discord.owners, managers: discord.managers, readers: discord.readers },
    commands: discord.guildId === null ? {} : { guildId: discord.guildId },
    ...(discord.alertsChannelId === null ? {} : { alerts: { channelId: discord.alertsChannelId } }),
    ...(discord.statusChannelId === null ? {} : { liveStatus: { channelId: discord.statusChannelId } }),
    ...options.discord,
  });
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    // Services need not hold the event loop open (an embedded SQLite holds no handle): this does.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second signal while stopping forces the exit.
      const force = (): void => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs the main job; returns the exit code. */
export async function up(context: CommandContext, options: UpOptions = {}): Promise<number> {
  const { settings, logger, print } = context;
  const until = options.until ?? waitForSignal();
  const manager = createManager(context);
  // Listening from the start, so the first frame knows the checks that ran while services started.
  const live = new LiveView(manager, context, options.live);
  logger.info('starting servicedeck', { database: redactUrl(settings.database), root: settings.root });
  try {
    await manager.start();
  } catch (error) {
    await live.stop();
    throw error;
  }
  let discord: DiscordBot | undefined;
  let web: WebDashboard | undefined;
  let watcher: ServiceWatcher | undefined;
  try {
    await live.show();
    web = await startWeb(context, manager, (line) => live.note(line));
    discord = await startDiscord(context, manager, options);
    if (options.watch) watcher = await startWatch(context, manager, options.watch, (line) => live.note(line));
  } catch (error) {
    await watcher?.stop();
    await live.stop();
    await discord?.stop();
    await web?.close();
    await manager.shutdown();
    throw error;
  }
  const signal = await until;
  // A reload under way finishes before anything stops.
  await watcher?.stop();
  await live.stop();
  logger.info('stopping servicedeck', { signal });
  await discord?.stop();
  await web?.close();
  await manager.shutdown();
  print('servicedeck stopped.');
  return EXIT.ok;
}
