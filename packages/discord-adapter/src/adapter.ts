/**
 * The Discord adapter: one object that answers `/services`, registers it, posts alerts and the live status
 * message, and guards the bot's own commands — in gateway mode (a discord.js `Client`) or through the
 * HTTP interactions endpoint.
 */
import { createLogger, describeError, type Logger, type ServiceRegistryManager } from '@servicedeck/core';
import { type Client, Events, type Interaction, REST } from 'discord.js';
import { type AccessOptions, AccessPolicy } from './access.js';
import { AlertChannel, type AlertOptions } from './alerts.js';
import { servicesCommand } from './definition.js';
import { InteractionsEndpoint } from './endpoint.js';
import { discordJsResponder, incomingFromDiscordJs } from './gateway.js';
import { requireService, type ServiceGuard } from './guard.js';
import { InteractionHandler, type RateBucket } from './handler.js';
import { LiveStatus, type LiveStatusOptions } from './live-status.js';
import { type RateLimit, RateLimiter } from './rate-limit.js';
import { type RegistrationResult, registerCommand } from './registration.js';

/** Options of a {@link DiscordAdapter}. */
export interface DiscordAdapterOptions {
  /** Who may read and manage (owners, allowlists). */
  readonly access?: AccessOptions;
  /**
   * Per-user limits: `manage` for changes (default 10 a minute), `health` for checks on demand
   * (default 5 a minute).
   */
  readonly rateLimits?: Partial<Record<RateBucket, RateLimit>>;
  /** Answers to commands are private to the user (default true). Management answers always are. */
  readonly ephemeral?: boolean;
  /** Milliseconds to wait for a result before answering "thinking…" (default 1 500; Discord allows 3 000). */
  readonly deferAfterMs?: number;
  /** Registering `/services`: in one guild, or globally (default), or not at all (`register: false`). */
  readonly commands?: { readonly guildId?: string; readonly register?: boolean };
  /** Post alerts on failures and recoveries in a channel. */
  readonly alerts?: AlertOptions;
  /** Keep a live status message in a channel. */
  readonly liveStatus?: LiveStatusOptions;
  readonly logger?: Logger;
}

/** Options of {@link DiscordAdapter.interactionsEndpoint}. */
export interface EndpointModeOptions {
  /** The application's id. */
  readonly applicationId: string;
  /** The application's public key, hex. */
  readonly publicKey: string;
  /** A REST client with the bot's token (for registration, alerts and the live status message). */
  readonly rest: REST;
  /** Requests whose timestamp is further than this from now are refused (default 300 s). */
  readonly maxSkewSeconds?: number;
}

/** servicedeck in a Discord bot. */
export class DiscordAdapter {
  /** Who may read and manage. */
  public readonly access: AccessPolicy;
  private readonly handler: InteractionHandler;
  private readonly logger: Logger;
  private alerts: AlertChannel | undefined;
  private live: LiveStatus | undefined;
  private client: Client | undefined;
  private readonly onInteraction = (interaction: Interaction): void => {
    void this.dispatch(interaction);
  };
  private readonly onReady = (client: Client<true>): void => {
    this.track(this.ready(client));
  };
  private readonly pending = new Set<Promise<void>>();

  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly options: DiscordAdapterOptions = {},
  ) {
    this.logger = options.logger ?? createLogger({ bindings: { adapter: 'discord' } });
    this.access = new AccessPolicy(options.access);
    this.handler = new InteractionHandler(manager, {
      access: this.access,
      limiter: new RateLimiter<RateBucket>({
        manage: options.rateLimits?.manage ?? { limit: 10, windowMs: 60_000 },
        health: options.rateLimits?.health ?? { limit: 5, windowMs: 60_000 },
      }),
      logger: this.logger,
      deferAfterMs: options.deferAfterMs ?? 1500,
      ephemeral: options.ephemeral ?? true,
      alerts: { acknowledge: (serviceId, userId) => this.alerts?.acknowledge(serviceId, userId) },
    });
  }

  /**
   * Gateway mode: answers `/services` and servicedeck's components on `client` (the bot's other
   * interactions are left alone). Once the client is ready, registers the command, learns the application's
   * owners and starts alerts and the live status message.
   */
  public attach(client: Client): this {
    this.detach();
    this.client = client;
    client.on(Events.InteractionCreate, this.onInteraction);
    if (client.isReady()) this.track(this.ready(client));
    else client.once(Events.ClientReady, this.onReady);
    return this;
  }

  /** Stops listening to the attached client (a new one can be attached). */
  private detach(): void {
    this.client?.off(Events.InteractionCreate, this.onInteraction);
    this.client?.off(Events.ClientReady, this.onReady);
    this.client = undefined;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.logger.error('Discord adapter start failed', { error: describeError(error) }),
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private async ready(client: Client<true>): Promise<void> {
    try {
      const application = await client.application.fetch();
      const owner = application.owner;
      if (owner && 'members' in owner) this.access.addOwners(owner.members.keys());
      else if (owner) this.access.addOwners([owner.id]);
    } catch (error) {
      this.logger.warn('could not learn the application owners', { error: describeError(error) });
    }
    await this.startOn(client.rest, client.application.id, client.user.id);
  }

  private async startOn(rest: REST, applicationId: string, botUserId?: string): Promise<void> {
    if (this.options.commands?.register !== false) {
      await this.registerCommands(rest, applicationId);
    }
    // A client that became ready again (a new login) takes over from the previous one.
    await this.alerts?.stop();
    await this.live?.stop();
    if (this.options.alerts) {
      this.alerts = new AlertChannel(this.manager, rest, this.options.alerts, this.logger);
      this.alerts.start();
    }
    if (this.options.liveStatus) {
      this.live = new LiveStatus(this.manager, rest, this.options.liveStatus, this.logger, botUserId);
      await this.live.start();
    }
  }

  /** Registers `/services` (in the configured guild, or globally) unless Discord already has it as is. */
  public registerCommands(rest: REST, applicationId: string): Promise<RegistrationResult> {
    return registerCommand(rest, applicationId, servicesCommand(), {
      ...(this.options.commands?.guildId ? { guildId: this.options.commands.guildId } : {}),
      logger: this.logger,
    });
  }

  /**
   * HTTP interactions endpoint mode: registers the command, starts alerts and the live status message, and
   * returns the endpoint to mount at the Interactions Endpoint URL.
   */
  public async interactionsEndpoint(options: EndpointModeOptions): Promise<InteractionsEndpoint> {
    const endpoint = await InteractionsEndpoint.create(
      async (incoming, responder) => {
        if (this.handler.owns(incoming)) await this.handler.handle(incoming, responder);
        else await responder.reply({ content: 'This command is not handled here.', ephemeral: true });
      },
      {
        publicKey: options.publicKey,
        rest: options.rest,
        logger: this.logger,
        ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }),
      },
    );
    await this.startOn(options.rest, options.applicationId);
    return endpoint;
  }

  private async dispatch(interaction: Interaction): Promise<void> {
    const incoming = incomingFromDiscordJs(interaction);
    if (!incoming || !this.handler.owns(incoming)) return;
    const work = this.handler.handle(incoming, discordJsResponder(interaction));
    this.pending.add(work);
    try {
      await work;
    } finally {
      this.pending.delete(work);
    }
  }

  /** A guard for the bot's commands that need these services; see {@link requireService}. */
  public requireService(...serviceIds: string[]): ServiceGuard {
    return requireService(this.manager, ...serviceIds);
  }

  /** Resolves when every interaction being answered and every alert being sent is done. */
  public async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.alerts?.idle();
  }

  /** Stops answering, alerting and editing the live status; waits for what is in flight. */
  public async close(): Promise<void> {
    this.detach();
    await this.idle();
    await this.alerts?.stop();
    await this.live?.stop();
  }
}

/**
 * Plugs servicedeck into a discord.js bot in one call.
 *
 * @example
 * ```ts
 * const client = new Client({ intents: [GatewayIntentBits.Guilds] });
 * const discord = connectDiscord(manager, client, { access: { managers: { roles: ['123…'] } } });
 * await client.login(token);
 * ```
 */
export function connectDiscord(
  manager: ServiceRegistryManager,
  client: Client,
  options: DiscordAdapterOptions = {},
): DiscordAdapter {
  return new DiscordAdapter(manager, options).attach(client);
}

export { REST };
