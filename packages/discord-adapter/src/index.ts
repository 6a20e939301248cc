/**
 * `@servicedeck/discord-adapter`: servicedeck in a discord.js bot — `/services` for server admins, alerts,
 * a live status message, and a guard for the bot's own commands. It calls only the
 * `ServiceRegistryManager` facade of `@servicedeck/core`.
 *
 * @packageDocumentation
 */
export {
  type AccessDecision,
  type AccessLevel,
  type AccessOptions,
  AccessPolicy,
  type Allowlist,
  type Invoker,
} from './access.js';
export {
  connectDiscord,
  DiscordAdapter,
  type DiscordAdapterOptions,
  type EndpointModeOptions,
} from './adapter.js';
export { AlertChannel, type AlertOptions } from './alerts.js';
export { type DiscordBot, type DiscordBotOptions, startDiscordBot } from './bot.js';
export { type ComponentAction, type ComponentState, decodeCustomId, encodeCustomId } from './custom-id.js';
export { COMMAND_NAME, servicesCommand } from './definition.js';
export { InteractionsEndpoint, type InteractionsEndpointOptions, incomingFromPayload } from './endpoint.js';
export { discordJsResponder, incomingFromDiscordJs } from './gateway.js';
export { type Availability, availability, requireService, type ServiceGuard } from './guard.js';
export {
  type AlertActions,
  type HandlerOptions,
  InteractionHandler,
  parseSetting,
  type RateBucket,
} from './handler.js';
export type { Incoming, OptionValue, OutgoingMessage, Responder } from './interaction.js';
export { clip, commandLength, embedLength, fitEmbed, LIMITS } from './limits.js';
export { LIVE_STATUS_MARK, LiveStatus, type LiveStatusOptions, liveStatusMessage } from './live-status.js';
export { type RateDecision, type RateLimit, RateLimiter } from './rate-limit.js';
export {
  type RegistrationOptions,
  type RegistrationResult,
  registerCommand,
  sameCommand,
} from './registration.js';
