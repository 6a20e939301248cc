import { createLogger } from '@servicedeck/core';
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLength, LIMITS, registerCommand, servicesCommand } from '../src/index.js';
import { APPLICATION_ID, FakeDiscordApi, GUILD_ID } from './support/discord.js';
import { discordRequestProblems } from './support/discord-spec.js';

const logger = createLogger({ sink: () => undefined });
const apis: FakeDiscordApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

/**
 * A command of exactly `total` counted characters: options with 100-character descriptions, each with up
 * to 20 choices whose names fill what is left.
 */
function definitionOf(total: number): RESTPostAPIChatInputApplicationCommandsJSONBody {
  type Option = { type: 3; name: string; description: string; choices: { name: string; value: string }[] };
  const options: Option[] = [];
  let left = total - 'big'.length - 100;
  while (left > 0) {
    const option: Option = {
      type: 3,
      name: `p${options.length}`,
      description: 'd'.repeat(100),
      choices: [],
    };
    options.push(option);
    left -= option.name.length + option.description.length;
    while (left > 0 && option.choices.length < 20) {
      const value = `v${option.choices.length.toString().padStart(2, '0')}`;
      const name = 'n'.repeat(Math.max(1, Math.min(100, left - value.length)));
      option.choices.push({ name, value });
      left -= name.length + value.length;
    }
  }
  return { name: 'big', description: 'b'.repeat(100), options };
}

describe('registerCommand', () => {
  it('GIVEN /services THEN its definition is valid for Discord and within the 4 000-character total', () => {
    const definition = servicesCommand();
    expect(commandLength(definition)).toBeGreaterThan(1000);
    expect(commandLength(definition)).toBeLessThanOrEqual(LIMITS.commandTotal);
    expect(
      discordRequestProblems({
        method: 'POST',
        path: `/applications/${APPLICATION_ID}/commands`,
        body: definition,
      }),
    ).toEqual([]);
  });

  it('GIVEN a definition of exactly 4 000 characters THEN it is registered; one more and it is refused before sending', async () => {
    const api = new FakeDiscordApi();
    apis.push(api);
    const atLimit = definitionOf(4000);
    expect(commandLength(atLimit)).toBe(4000);
    await expect(
      registerCommand(api.rest(), APPLICATION_ID, atLimit, { guildId: GUILD_ID, logger }),
    ).resolves.toBe('created');
    // The stand-in counts on its own and agrees.
    expect(api.problems).toEqual([]);

    const over = definitionOf(4001);
    expect(commandLength(over)).toBe(4001);
    const sent = api.requests.length;
    await expect(
      registerCommand(api.rest(), APPLICATION_ID, over, { guildId: GUILD_ID, logger }),
    ).rejects.toThrow(
      'The definition of /big has 4001 characters of names, descriptions and choices; Discord allows 4000. Shorten them by at least 1 characters.',
    );
    expect(api.requests.length).toBe(sent);
    expect(
      discordRequestProblems({
        method: 'POST',
        path: `/applications/${APPLICATION_ID}/commands`,
        body: over,
      }),
    ).toEqual(['/big: 4001 characters in all (at most 4000)']);
  });

  it('GIVEN localized names and descriptions THEN they count too', () => {
    const plain = definitionOf(300);
    const localized = {
      ...plain,
      name_localizations: { fr: 'grand' },
      description_localizations: { fr: 'une description' },
    };
    expect(commandLength(localized)).toBe(300 + 'grand'.length + 'une description'.length);
  });
});
