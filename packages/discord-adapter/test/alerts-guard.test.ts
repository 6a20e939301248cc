import { createLogger } from '@servicedeck/core';
import type { Interaction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { AlertChannel, availability, requireService } from '../src/index.js';
import { startDeck } from './support/deck.js';
import { CHANNEL_ID, FakeDiscordApi } from './support/discord.js';

describe('alerts', () => {
  it('GIVEN a root cause failing with dependents THEN one alert folds them; a flap edits it; acknowledging closes it', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const alerts = new AlertChannel(
      deck.manager,
      api.rest(),
      { channelId: CHANNEL_ID },
      createLogger({ sink: () => undefined }),
    );
    alerts.start();
    for (const id of ['database', 'reminders', 'digest'])
      (deck.services[id] as { healthy: boolean }).healthy = false;
    await deck.manager.checkAllHealth({ fresh: true });
    await alerts.idle();
    const posts = api.to(/\/channels\/\d+\/messages$/, 'POST');
    const messages = [...api.messages.values()];
    expect(messages.length).toBeGreaterThanOrEqual(1);
    const alert = messages.find((m) => JSON.stringify(m).includes('Database is failing')) as unknown as {
      embeds: { fields: { name: string; value: string }[] }[];
    };
    expect(alert).toBeDefined();
    const folded = alert.embeds[0]?.fields.find((f) => f.name.startsWith('Also affected'));
    expect(folded?.value).toContain('`reminders`');
    const postsBefore = posts.length;
    // Flap: recover and fail again: the same message is edited.
    (deck.services.database as { healthy: boolean }).healthy = true;
    await deck.manager.checkHealth('database', { fresh: true });
    (deck.services.database as { healthy: boolean }).healthy = false;
    await deck.manager.checkHealth('database', { fresh: true });
    await alerts.idle();
    expect(api.to(/\/channels\/\d+\/messages$/, 'POST')).toHaveLength(postsBefore);
    expect(api.to(/\/channels\/\d+\/messages\/\d+$/, 'PATCH').length).toBeGreaterThanOrEqual(1);
    const acked = alerts.acknowledge('database', '400000000000000004');
    expect(JSON.stringify(acked)).toContain('by <@400000000000000004>');
    (deck.services.database as { healthy: boolean }).healthy = true;
    await deck.manager.checkHealth('database', { fresh: true });
    (deck.services.database as { healthy: boolean }).healthy = false;
    await deck.manager.checkHealth('database', { fresh: true });
    await alerts.idle();
    expect(api.to(/\/channels\/\d+\/messages$/, 'POST')).toHaveLength(postsBefore + 1);
    expect(api.problems).toEqual([]);
    await alerts.stop();
    await api.close();
  });
});

describe('requireService', () => {
  it('GIVEN a disabled or failing service THEN the guard answers privately and refuses; a healthy one runs', async () => {
    const deck = await startDeck('sqlite', undefined, ['github']);
    expect(availability(deck.manager, ['github'])).toEqual({
      available: false,
      message: "**GitHub** is switched off right now, so this command can't run. Try again later.",
    });
    (deck.services.database as { healthy: boolean }).healthy = false;
    await deck.manager.checkHealth('database', { fresh: true });
    expect(availability(deck.manager, ['database'])).toMatchObject({
      available: false,
      message: expect.stringContaining('having trouble'),
    });
    expect(availability(deck.manager, ['nope'])).toMatchObject({ available: false });
    const replies: unknown[] = [];
    const fake = {
      isAutocomplete: () => false,
      isRepliable: () => true,
      deferred: false,
      replied: false,
      reply: async (message: unknown) => replies.push(message),
    } as unknown as Interaction;
    expect(await requireService(deck.manager, 'github')(fake)).toBe(false);
    expect(replies).toEqual([{ content: expect.stringContaining('switched off'), flags: 64 }]);
    (deck.services.database as { healthy: boolean }).healthy = true;
    await deck.manager.checkHealth('database', { fresh: true });
    expect(await requireService(deck.manager, 'database')(fake)).toBe(true);
    expect(replies).toHaveLength(1);
  });
});
