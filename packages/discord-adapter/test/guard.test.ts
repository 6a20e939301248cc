import type { Interaction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { startDeck } from '../../../tests/support/deck.js';
import { availability, requireService } from '../src/index.js';

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
