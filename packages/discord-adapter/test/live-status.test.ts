import { createLogger } from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { startDeck } from '../../../tests/support/deck.js';
import { LIVE_STATUS_MARK, LiveStatus } from '../src/index.js';
import { BOT_USER_ID, CHANNEL_ID, FakeDiscordApi } from './support/discord.js';

const logger = createLogger({ sink: () => undefined });

describe('live status message', () => {
  it('GIVEN changes in a burst THEN one edit at most per interval; after a restart the old message is reused', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    const live = new LiveStatus(
      deck.manager,
      api.rest(),
      { channelId: CHANNEL_ID, minIntervalMs: 200 },
      logger,
      BOT_USER_ID,
    );
    await live.start();
    const posts = () => api.to(/\/channels\/\d+\/messages$/, 'POST');
    const edits = () => api.to(/\/channels\/\d+\/messages\/\d+$/, 'PATCH');
    expect(posts()).toHaveLength(1);
    const message = [...api.messages.values()][0] as unknown as {
      embeds: { footer: { text: string }; description: string }[];
    };
    expect(message.embeds[0]?.footer.text).toBe(LIVE_STATUS_MARK);
    for (const id of ['database', 'reminders', 'digest'])
      (deck.services[id] as { healthy: boolean }).healthy = false;
    await deck.manager.checkAllHealth({ fresh: true });
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(edits()).toHaveLength(1);
    expect(message.embeds[0]?.description).toContain('🔴 3 error');
    expect(message.embeds[0]?.description).toContain('`database` error');
    await live.stop();

    const again = new LiveStatus(deck.manager, api.rest(), { channelId: CHANNEL_ID }, logger, BOT_USER_ID);
    await again.start();
    expect(posts()).toHaveLength(1);
    expect(edits()).toHaveLength(2);
    await again.stop();
    expect(api.problems).toEqual([]);
    await api.close();
  });
});
