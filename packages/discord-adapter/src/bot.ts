/**
 * servicedeck as a Discord bot of its own: logs a client in with a token and attaches the adapter to it.
 * This is what `servicedeck up` runs when a bot token is configured; a bot that has its own client uses
 * {@link connectDiscord} instead.
 */
import { createLogger, describeError, type Logger, type ServiceRegistryManager } from '@servicedeck/core';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { DiscordAdapter, type DiscordAdapterOptions } from './adapter.js';

/** Options of {@link startDiscordBot}. */
export interface DiscordBotOptions extends DiscordAdapterOptions {
  /** The bot token. */
  readonly token: string;
  /**
   * Makes the client to log in, once per attempt, since a client whose login failed cannot log in again
   * (default: a client with the Guilds intent, which is all slash commands need).
   */
  readonly createClient?: () => Client;
  /**
   * Milliseconds to wait before each new attempt when logging in fails for a reason other than the token
   * (the network, Discord's gateway); the last delay repeats until {@link DiscordBot.stop}. Default
   * 5 s, 15 s, 30 s, 60 s.
   */
  readonly retryDelaysMs?: readonly number[];
}

/** A running bot. */
export interface DiscordBot {
  readonly adapter: DiscordAdapter;
  /** The client of the current (or last) attempt to log in. */
  readonly client: Client;
  /**
   * Resolves with true once the client is logged in and ready, or false when it gave up (a token Discord
   * refuses) or was stopped first. It never rejects: why it failed is logged.
   */
  readonly connected: Promise<boolean>;
  /** Stops answering, waits for what is in flight, and disconnects. */
  stop(): Promise<void>;
}

/** Whether Discord refused the token itself (trying again cannot help). */
function refusedToken(error: unknown): boolean {
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  return code === 'TokenInvalid' || status === 401 || code === 4004;
}

/**
 * Logs a client in with `token` and answers `/services` on it, with alerts and the live status message as
 * configured. Returns at once: logging in goes on in the background (see {@link DiscordBot.connected}),
 * so servicedeck runs on while Discord is unreachable, and tries again until it is reachable.
 */
export function startDiscordBot(manager: ServiceRegistryManager, options: DiscordBotOptions): DiscordBot {
  const { token, createClient, retryDelaysMs, ...adapterOptions } = options;
  const logger: Logger = adapterOptions.logger ?? createLogger({ bindings: { adapter: 'discord' } });
  const make = createClient ?? (() => new Client({ intents: [GatewayIntentBits.Guilds] }));
  const adapter = new DiscordAdapter(manager, { ...adapterOptions, logger });
  const delays = retryDelaysMs && retryDelaysMs.length > 0 ? retryDelaysMs : [5_000, 15_000, 30_000, 60_000];
  let client = make();
  let stopped = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  let onStop: () => void = () => undefined;
  const stopping = new Promise<false>((resolve) => {
    onStop = () => resolve(false);
  });

  /** Logs `current` in; resolves once it is ready, or false when it was stopped or invalidated first. */
  const login = async (current: Client): Promise<boolean> => {
    const ready = new Promise<boolean>((resolve) => {
      current.once(Events.ClientReady, () => resolve(true));
      current.once(Events.Invalidated, () => resolve(false));
    });
    const loggingIn = current.login(token);
    // Stopping destroys the client, which fails a login in progress: that is not news.
    loggingIn.catch(() => undefined);
    if ((await Promise.race([loggingIn.then(() => true), stopping])) === false) return false;
    return (await Promise.race([ready, stopping])) && !stopped;
  };

  const connect = async (): Promise<boolean> => {
    for (let attempt = 0; !stopped; attempt += 1) {
      if (attempt > 0) client = make();
      adapter.attach(client);
      try {
        if (!(await login(client))) return false;
        logger.info('connected to Discord', {
          user: client.user?.tag ?? null,
          guilds: client.guilds.cache.size,
        });
        return true;
      } catch (error) {
        // A failed login has destroyed its client already.
        if (stopped) return false;
        if (refusedToken(error)) {
          logger.error('Discord refused the bot token; servicedeck runs on without Discord', {
            error: describeError(error),
            hint: 'Copy the token again from the Developer Portal (Bot › Reset Token) into SERVICEDECK_DISCORD_TOKEN and restart.',
          });
          return false;
        }
        const delay = delays[Math.min(attempt, delays.length - 1)] as number;
        logger.warn('could not connect to Discord; trying again', {
          error: describeError(error),
          attempt: attempt + 1,
          retryInMs: delay,
        });
        await pause(delay);
      }
    }
    return false;
  };
  const connected = connect();

  return {
    adapter,
    get client() {
      return client;
    },
    connected,
    async stop() {
      stopped = true;
      onStop();
      wake?.();
      await adapter.close();
      await client.destroy();
      await connected;
    },
  };
}
