/**
 * The `/services` command definition, as sent to Discord's API. One command with subcommands, so it takes
 * one of a bot's 100 global commands; only members with Manage Server see it by default, and only in
 * servers.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

/** The name of the command. */
export const COMMAND_NAME = 'services';

const service = (description: string, required = true) => ({
  type: ApplicationCommandOptionType.String as const,
  name: 'service',
  description,
  required,
  autocomplete: true,
  max_length: 64,
});

/** The `/services` command, as registered with Discord. */
export function servicesCommand(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return {
    type: ApplicationCommandType.ChatInput,
    name: COMMAND_NAME,
    description: "See and control the bot's services: status, health, configuration.",
    // A number, as Discord's OpenAPI specification types it (its documentation shows a string; both are taken).
    default_member_permissions: Number(PermissionFlagsBits.ManageGuild) as unknown as string,
    contexts: [InteractionContextType.Guild],
    integration_types: [ApplicationIntegrationType.GuildInstall],
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'list',
        description: 'List every service with its status.',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'type',
            description: 'Only services of this type.',
            choices: [
              { name: 'internal', value: 'internal' },
              { name: 'external', value: 'external' },
              { name: 'wrapper', value: 'wrapper' },
            ],
          },
          {
            type: ApplicationCommandOptionType.String,
            name: 'status',
            description: 'Only services with this status.',
            choices: [
              { name: 'active', value: 'active' },
              { name: 'inactive', value: 'inactive' },
              { name: 'error', value: 'error' },
              { name: 'unknown', value: 'unknown' },
              { name: 'disabled', value: 'disabled' },
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'status',
        description: 'One service: status, latency, cause, dependencies, uptime.',
        options: [service('The service to show.')],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'enable',
        description: 'Enable a service (shows the plan first).',
        options: [
          service('The service to enable.'),
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'with-dependencies',
            description: 'Also enable the disabled services it depends on.',
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'disable',
        description: 'Disable a service (shows the plan first).',
        options: [
          service('The service to disable.'),
          {
            type: ApplicationCommandOptionType.Boolean,
            name: 'cascade',
            description: 'Also disable the enabled services that depend on it.',
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'reload',
        description:
          "Load a service's code again without restarting the bot (the old one runs on if it fails).",
        options: [service('The service to reload.')],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'health',
        description: 'Check one service now, or every service.',
        options: [service('The service to check (all when left out).', false)],
      },
      {
        type: ApplicationCommandOptionType.SubcommandGroup,
        name: 'config',
        description: "A service's configuration.",
        options: [
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: 'view',
            description: 'Show the settings (secrets hidden).',
            options: [service('The service.')],
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: 'set',
            description: 'Change one setting. Leave the value out to type it in a form.',
            options: [
              service('The service.'),
              {
                type: ApplicationCommandOptionType.String,
                name: 'key',
                description: 'The setting.',
                required: true,
                autocomplete: true,
                max_length: 100,
              },
              {
                type: ApplicationCommandOptionType.String,
                name: 'value',
                description: 'The new value (JSON or text); "null" removes the setting.',
                max_length: 1000,
              },
            ],
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: 'history',
            description: 'The versions of the settings, newest first.',
            options: [service('The service.')],
          },
          {
            type: ApplicationCommandOptionType.Subcommand,
            name: 'rollback',
            description: 'Make an earlier version of the settings current again.',
            options: [
              service('The service.'),
              {
                type: ApplicationCommandOptionType.Integer,
                name: 'version',
                description: 'The version to return to.',
                required: true,
                autocomplete: true,
                min_value: 1,
              },
            ],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'audit',
        description: 'Who did what, newest first.',
        options: [service('Only this service.', false)],
      },
    ],
  };
}
