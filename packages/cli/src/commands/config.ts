/**
 * `servicedeck config get|set|unset|history|rollback`: a service's settings, validated, versioned and
 * audited by core. Secrets are never accepted on the command line (it stays in the shell history and the
 * process list): they are read from standard input (`--stdin`) or asked for on the terminal with echo off,
 * and they are never printed.
 */
import type { ConfigField, JsonObject, JsonValue, ServiceRegistryManager } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { type Assignment, parseAssignment, parseValue, promptHidden, readStdin } from '../input.js';
import { configJson, renderConfig, renderHistory, renderUpdate, versionJson } from '../output/config.js';
import { cliActor, withManager } from '../runtime.js';

/** Options of `config get` and `config history`. */
export interface ConfigReadOptions {
  /** Print JSON instead of text. */
  readonly json?: boolean;
  /** `history`: at most this many versions, newest first (default 20). */
  readonly limit?: number;
}

/** Options of `config set`, `unset` and `rollback`. */
export interface ConfigChangeCommandOptions {
  /** The version the change is based on: a newer stored version makes it a conflict (exit 1). */
  readonly expectVersion?: number;
}

/** Options of `config set`. */
export interface ConfigSetOptions extends ConfigChangeCommandOptions {
  /** Read the value of the one bare setting name from standard input. */
  readonly stdin?: boolean;
}

/** Prints a service's settings: where each comes from, the version, problems, a pending restart. */
export async function configGet(
  context: CommandContext,
  id: string,
  options: ConfigReadOptions = {},
): Promise<number> {
  const config = configJson(await withManager(context, (manager) => manager.getConfig(id)));
  context.print(options.json ? JSON.stringify(config, null, 2) : renderConfig(config, context.style));
  return EXIT.ok;
}

/** Prints a service's configuration versions, newest first. */
export async function configHistory(
  context: CommandContext,
  id: string,
  options: ConfigReadOptions = {},
): Promise<number> {
  const entries = (
    await withManager(context, (manager) => manager.configHistory(id, options.limit ?? 20))
  ).map(versionJson);
  if (options.json) context.print(JSON.stringify(entries, null, 2));
  else if (entries.length === 0) context.print(`No settings of ${id} were ever stored.`);
  else context.print(renderHistory(entries, context.style));
  return EXIT.ok;
}

/** What `updateConfig` and `rollbackConfig` are given: who acts, and the expected version if any. */
function changeOptions(context: CommandContext, options: ConfigChangeCommandOptions) {
  return {
    ...cliActor(context.io.env),
    ...(options.expectVersion === undefined ? {} : { expectedVersion: options.expectVersion }),
  };
}

/** Whether a setting's schema accepts a string: then a value typed or piped in is taken as it is. */
async function acceptsString(manager: ServiceRegistryManager, id: string, key: string): Promise<boolean> {
  const report = await manager.discoverServices();
  const schema = report.services.find((s) => s.metadata.id === id)?.metadata.configSchema;
  const property = (schema?.properties as Record<string, { type?: unknown }> | undefined)?.[key];
  const type = property?.type;
  return type === 'string' || (Array.isArray(type) && type.includes('string'));
}

function secretRefusal(id: string, keys: readonly string[]): CliError {
  const [first] = keys as [string];
  const names = keys.map((key) => `"${key}"`).join(', ');
  return new CliError(
    `${names} ${keys.length === 1 ? 'is a secret' : 'are secrets'} of "${id}" and not accepted on the command line, ` +
      'where a value stays in the shell history and the process list; nothing was stored. ' +
      `Pipe it in: printf '%s' "$VALUE" | servicedeck config set ${id} ${first} --stdin, ` +
      `or run servicedeck config set ${id} ${first} on a terminal to be asked for it with echo off.`,
  );
}

/**
 * Sets settings: `key=value` arguments (JSON when the value parses as JSON, else a string), and at most
 * one bare `key` read from standard input with `--stdin`, or any bare keys asked for on a terminal. One
 * new version for all of them.
 */
export async function configSet(
  context: CommandContext,
  id: string,
  assignments: readonly string[],
  options: ConfigSetOptions = {},
): Promise<number> {
  const parsed: Assignment[] = assignments.map(parseAssignment);
  if (parsed.length === 0) {
    throw new CliError(
      `Nothing to set: give key=value (for example: servicedeck config set ${id} url=https://…), or a setting name with --stdin.`,
    );
  }
  const twice = parsed.map((a) => a.key).find((key, index, keys) => keys.indexOf(key) !== index);
  if (twice !== undefined) throw new CliError(`"${twice}" is given twice; give each setting once.`);
  const bare = parsed.filter((a) => a.text === undefined).map((a) => a.key);
  const stdin = context.io.stdin;
  if (options.stdin && bare.length !== 1) {
    throw new CliError(
      `--stdin reads the value of one setting: give exactly one setting name without "=" (for example: servicedeck config set ${id} apiKey --stdin)${bare.length > 1 ? `, not ${bare.length}` : ''}.`,
    );
  }
  if (!options.stdin && bare.length > 0 && !stdin?.isTTY) {
    throw new CliError(
      `No value for ${bare.map((key) => `"${key}"`).join(', ')}: give key=value, or pipe the value in with --stdin ` +
        `(printf '%s' "$VALUE" | servicedeck config set ${id} ${bare[0]} --stdin); on a terminal it is asked for.`,
    );
  }
  const result = await withManager(context, async (manager) => {
    const fields = new Map<string, ConfigField>((await manager.getConfig(id)).fields.map((f) => [f.key, f]));
    const secrets = parsed.filter((a) => a.text !== undefined && fields.get(a.key)?.secret).map((a) => a.key);
    if (secrets.length > 0) throw secretRefusal(id, secrets);
    const patch: JsonObject = {};
    for (const assignment of parsed) {
      if (assignment.text !== undefined) {
        patch[assignment.key] = parseValue(assignment.text);
        continue;
      }
      const { key } = assignment;
      const secret = fields.get(key)?.secret === true;
      const text =
        options.stdin && !stdin?.isTTY
          ? await readStdin(stdin)
          : await promptHidden(context.io, `${id}.${key}${secret ? ' (secret)' : ''}, input hidden: `);
      if (text === '') {
        throw new CliError(
          `No value for "${key}" (the input was empty); nothing was stored. To remove a setting: servicedeck config unset ${id} ${key}.`,
        );
      }
      const value: JsonValue = (await acceptsString(manager, id, key)) ? text : parseValue(text);
      patch[key] = value;
    }
    return manager.updateConfig(id, patch, changeOptions(context, options));
  });
  context.print(renderUpdate(result));
  return EXIT.ok;
}

/** Removes settings (their defaults apply again); one new version. */
export async function configUnset(
  context: CommandContext,
  id: string,
  keys: readonly string[],
  options: ConfigChangeCommandOptions = {},
): Promise<number> {
  const result = await withManager(context, async (manager) => {
    const view = await manager.getConfig(id);
    const known = view.fields.map((field) => field.key);
    const unknown = keys.filter((key) => !known.includes(key));
    if (unknown.length > 0) {
      throw new CliError(
        `"${id}" has no setting ${unknown.map((key) => `"${key}"`).join(', ')}${known.length > 0 ? ` (its settings: ${known.join(', ')})` : ''}; nothing was changed.`,
      );
    }
    const patch: JsonObject = Object.fromEntries(keys.map((key) => [key, null]));
    return manager.updateConfig(id, patch, changeOptions(context, options));
  });
  context.print(renderUpdate(result));
  return EXIT.ok;
}

/** Makes an earlier version's settings current again, as a new version. */
export async function configRollback(
  context: CommandContext,
  id: string,
  version: number,
  options: ConfigChangeCommandOptions = {},
): Promise<number> {
  const result = await withManager(context, (manager) =>
    manager.rollbackConfig(id, version, changeOptions(context, options)),
  );
  context.print(renderUpdate(result, version));
  return EXIT.ok;
}
