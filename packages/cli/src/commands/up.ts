/**
 * `servicedeck up`: the main job. Discovers services, syncs the catalog, starts what is enabled, shows the
 * catalog and follows every status change live, connects the Discord bot when a token is configured, and
 * runs until Ctrl-C or SIGTERM, then stops services in reverse dependency order.
 */
import { redactUrl, type ServiceRegistryManager } from '@servicedeck/core';
import type { DiscordBot, DiscordBotOptions } from '@servicedeck/discord-adapter';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { createManager } from '../runtime.js';
import { LiveView, type LiveViewOptions } from './live-view.js';

/** Options of `up`. */
export interface UpOptions {
  /** Resolves when the process should stop (default: the first SIGINT or SIGTERM). */
  readonly until?: Promise<string>;
  /** How the live status is shown (tests pin the clock and the throttle). */
  readonly live?: LiveViewOptions;
  /** How the Discord client is made (tests stub its login; default: a real client). */
  readonly discord?: Pick<DiscordBotOptions, 'createClient' | 'retryDelaysMs'>;
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
  await live.show();
  let discord: DiscordBot | undefined;
  try {
    discord = await startDiscord(context, manager, options);
  } catch (error) {
    await live.stop();
    await manager.shutdown();
    throw error;
  }
  const signal = await until;
  await live.stop();
  logger.info('stopping servicedeck', { signal });
  await discord?.stop();
  await manager.shutdown();
  print('servicedeck stopped.');
  return EXIT.ok;
}
