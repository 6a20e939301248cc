/**
 * Gateway mode: interactions from a discord.js `Client`, answered through discord.js.
 */
import {
  type APIApplicationCommandOptionChoice,
  type APIModalInteractionResponseCallbackData,
  type ApplicationCommandOptionType,
  type CommandInteractionOption,
  type Interaction,
  MessageFlags,
} from 'discord.js';
import type { Invoker } from './access.js';
import type { Incoming, OptionValue, OutgoingMessage, Responder } from './interaction.js';

/** The person behind a discord.js interaction. */
export function invokerOf(interaction: Interaction): Invoker {
  const member = interaction.member;
  let roleIds: string[] = [];
  if (member) {
    roleIds = Array.isArray(member.roles) ? [...member.roles] : [...member.roles.cache.keys()];
  }
  return {
    userId: interaction.user.id,
    guildId: interaction.guildId,
    roleIds,
    permissions: interaction.memberPermissions?.bitfield ?? null,
  };
}

/** The leaf options of a command: under its subcommand, itself perhaps under a group. */
function leafOptions(data: readonly CommandInteractionOption[]): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const option of data) {
    if (option.options) Object.assign(out, leafOptions(option.options));
    else if (option.value !== undefined) out[option.name] = option.value;
  }
  return out;
}

/** A discord.js interaction as the handler sees it, or undefined for kinds servicedeck does not answer. */
export function incomingFromDiscordJs(interaction: Interaction): Incoming | undefined {
  const invoker = invokerOf(interaction);
  if (interaction.isChatInputCommand() || interaction.isAutocomplete()) {
    const common = {
      invoker,
      commandName: interaction.commandName,
      group: interaction.options.getSubcommandGroup(false),
      subcommand: interaction.options.getSubcommand(false) ?? '',
      options: leafOptions(interaction.options.data),
    };
    if (interaction.isChatInputCommand()) return { kind: 'command', ...common };
    const focused = interaction.options.getFocused(true) as {
      name: string;
      value: string;
      type: ApplicationCommandOptionType;
    };
    return { kind: 'autocomplete', ...common, focused: { name: focused.name, value: String(focused.value) } };
  }
  if (interaction.isButton() || interaction.isStringSelectMenu()) {
    return {
      kind: 'component',
      invoker,
      customId: interaction.customId,
      values: interaction.isStringSelectMenu() ? interaction.values : [],
    };
  }
  if (interaction.isModalSubmit()) {
    const fields: Record<string, string> = {};
    for (const [id, field] of interaction.fields.fields) {
      if ('value' in field && typeof field.value === 'string') fields[id] = field.value;
    }
    return { kind: 'modal', invoker, customId: interaction.customId, fields };
  }
  return undefined;
}

function payload(message: OutgoingMessage) {
  return {
    ...(message.content === undefined ? {} : { content: message.content }),
    ...(message.embeds === undefined ? {} : { embeds: [...message.embeds] }),
    ...(message.components === undefined ? {} : { components: [...message.components] }),
  };
}

/** Answers a discord.js interaction through its own methods (and so its client's REST). */
export function discordJsResponder(interaction: Interaction): Responder {
  const fail = (what: string): Promise<never> =>
    Promise.reject(new TypeError(`A ${interaction.type} interaction cannot ${what}.`));
  return {
    async reply(message) {
      if (!interaction.isRepliable()) return fail('be replied to');
      await interaction.reply({
        ...payload(message),
        ...(message.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      });
    },
    async defer(ephemeral) {
      if (!interaction.isRepliable()) return fail('be deferred');
      await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    },
    async update(message) {
      if (!interaction.isMessageComponent()) return fail('update a message');
      await interaction.update(payload(message));
    },
    async deferUpdate() {
      if (!interaction.isMessageComponent()) return fail('defer an update');
      await interaction.deferUpdate();
    },
    async edit(message) {
      if (!interaction.isRepliable()) return fail('edit its answer');
      await interaction.editReply(payload(message));
    },
    async followUp(message) {
      if (!interaction.isRepliable()) return fail('follow up');
      await interaction.followUp({
        ...payload(message),
        ...(message.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      });
    },
    async choices(choices: readonly APIApplicationCommandOptionChoice[]) {
      if (!interaction.isAutocomplete()) return fail('answer an autocomplete');
      await interaction.respond([...choices]);
    },
    async modal(modal: APIModalInteractionResponseCallbackData) {
      if (!interaction.isChatInputCommand() && !interaction.isMessageComponent()) return fail('show a form');
      await interaction.showModal(modal);
    },
  };
}
