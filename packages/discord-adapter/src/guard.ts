/**
 * The guard for the bot's own commands: a command that needs a service runs only while the service is
 * enabled and healthy; otherwise the user gets a friendly private message instead of an exception.
 */
import type { ServiceRegistryManager } from '@servicedeck/core';
import { type Interaction, MessageFlags } from 'discord.js';

/** Whether a service can be used now, and if not, a message for the user. */
export type Availability =
  | { readonly available: true }
  | { readonly available: false; readonly message: string };

/** Whether the services can be used now: enabled, running, and not failing their health checks. */
export function availability(manager: ServiceRegistryManager, serviceIds: readonly string[]): Availability {
  for (const id of serviceIds) {
    let name = id;
    try {
      const info = manager.getServiceInfo(id);
      name = info.name;
      if (!manager.isEnabled(id)) {
        return {
          available: false,
          message: `**${name}** is switched off right now, so this command can't run. Try again later.`,
        };
      }
      if (info.status === 'error') {
        return {
          available: false,
          message: `**${name}** is having trouble right now, so this command can't run. Try again in a few minutes.`,
        };
      }
      if (!info.running) {
        return {
          available: false,
          message: `**${name}** isn't ready yet${info.status === 'inactive' && info.statusMessage ? ` (${info.statusMessage})` : ''}, so this command can't run. Try again later.`,
        };
      }
    } catch {
      return {
        available: false,
        message: `**${name}** isn't available in this bot, so this command can't run.`,
      };
    }
  }
  return { available: true };
}

/** A guard: resolves true when the command may run, else answers the user privately and resolves false. */
export type ServiceGuard = (interaction: Interaction) => Promise<boolean>;

/**
 * A guard for commands that need `serviceIds`.
 *
 * @example
 * ```ts
 * const needsGitHub = requireService(manager, 'github');
 * client.on('interactionCreate', async (interaction) => {
 *   if (!interaction.isChatInputCommand() || interaction.commandName !== 'issue') return;
 *   if (!(await needsGitHub(interaction))) return;
 *   await interaction.reply(await manager.getService<GitHubService>('github').describeIssue(…));
 * });
 * ```
 */
export function requireService(manager: ServiceRegistryManager, ...serviceIds: string[]): ServiceGuard {
  return async (interaction) => {
    const state = availability(manager, serviceIds);
    if (state.available) return true;
    if (interaction.isAutocomplete()) {
      if (!interaction.responded) await interaction.respond([]);
    } else if (interaction.isRepliable()) {
      if (interaction.deferred || interaction.replied) {
        await interaction.followUp({ content: state.message, flags: MessageFlags.Ephemeral });
      } else {
        await interaction.reply({ content: state.message, flags: MessageFlags.Ephemeral });
      }
    }
    return false;
  };
}
