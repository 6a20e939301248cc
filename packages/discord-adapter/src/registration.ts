/**
 * Registers `/services` with Discord: globally or in one guild, and only when the definition changed, so a
 * restart does not churn the command (Discord rate-limits command creation to 200 a day per guild).
 */
import type { Logger } from '@servicedeck/core';
import { type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody, Routes } from 'discord.js';
import { commandLength, LIMITS } from './limits.js';

/** What registration did. */
export type RegistrationResult = 'created' | 'updated' | 'unchanged';

/** Where to register. */
export interface RegistrationOptions {
  /** Register in this guild only (instant, for development); globally when left out. */
  readonly guildId?: string;
}

/** The value with defaults Discord leaves out removed (false, null, empty lists) and keys sorted. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(
          ([, v]) => v !== null && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0),
        )
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, normalize(v)]),
    );
  }
  return value;
}

/** Whether Discord's copy of a command says the same as the definition (keys Discord adds are ignored). */
export function sameCommand(
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody,
  existing: Record<string, unknown>,
): boolean {
  const permissions = (value: unknown) => (value === null || value === undefined ? value : String(value));
  const picked = Object.fromEntries(Object.keys(definition).map((key) => [key, existing[key]]));
  picked.default_member_permissions = permissions(picked.default_member_permissions);
  const wanted = {
    ...definition,
    default_member_permissions: permissions(definition.default_member_permissions),
  };
  return JSON.stringify(normalize(picked)) === JSON.stringify(normalize(wanted));
}

/**
 * Creates or updates one command, unless Discord already has it exactly.
 *
 * @throws RangeError when the definition is over Discord's 4 000-character total (nothing is sent).
 */
export async function registerCommand(
  rest: REST,
  applicationId: string,
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody,
  options: RegistrationOptions & { readonly logger: Logger },
): Promise<RegistrationResult> {
  const length = commandLength(definition);
  if (length > LIMITS.commandTotal) {
    // Discord would answer 400 with a message that names no option; say which command and by how much.
    throw new RangeError(
      `The definition of /${definition.name} has ${length} characters of names, descriptions and choices; Discord allows ${LIMITS.commandTotal}. Shorten them by at least ${length - LIMITS.commandTotal} characters.`,
    );
  }
  const route = options.guildId
    ? Routes.applicationGuildCommands(applicationId, options.guildId)
    : Routes.applicationCommands(applicationId);
  const existing = ((await rest.get(route)) as Record<string, unknown>[]).find(
    (c) => c.name === definition.name,
  );
  const where = options.guildId ? `guild ${options.guildId}` : 'globally';
  if (existing && sameCommand(definition, existing)) {
    options.logger.debug('command unchanged', { command: definition.name, where });
    return 'unchanged';
  }
  // POST replaces the command of the same name and leaves the bot's other commands alone (a PUT would not).
  await rest.post(route, { body: definition });
  const result = existing ? 'updated' : 'created';
  options.logger.info(`command ${result}`, { command: definition.name, where });
  return result;
}
