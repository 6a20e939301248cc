import { createLogger } from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { startDeck } from '../../../tests/support/deck.js';
import { AlertChannel } from '../src/index.js';
import {
  ADMIN_ID,
  buttonPayload,
  CHANNEL_ID,
  customIds,
  FakeDiscordApi,
  MANAGER_ROLE,
  MEMBER_ID,
  PERMISSIONS,
} from './support/discord.js';
import { type Harness, startHarness } from './support/harness.js';

describe('AlertChannel', () => {
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

interface Sent {
  type: number;
  data?: {
    flags?: number;
    embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
    components?: { components: { custom_id?: string; label?: string; disabled?: boolean }[] }[];
  };
}

const only = (sent: { body: unknown }[]): Sent => {
  expect(sent).toHaveLength(1);
  return sent[0]?.body as Sent;
};
const titleOf = (sent: Sent): string | undefined => sent.data?.embeds?.[0]?.title;
/** The answer to the interaction among what was sent (a recovery also edits the alert message). */
const answer = (sent: { path: string; body: unknown }[]): Sent =>
  only(sent.filter((request) => request.path.includes('/interactions/')));

const reader = { userId: MEMBER_ID, permissions: PERMISSIONS.manageGuild };
const outsider = { userId: '400000000000000009', permissions: PERMISSIONS.none };
const manager = { userId: ADMIN_ID, roles: [MANAGER_ROLE], permissions: PERMISSIONS.manageGuild };

/** A ready bot posting alerts, with the database failing (so reminders and digest fail under it). */
async function failingDatabase(dialect: 'sqlite' | 'postgres'): Promise<{ h: Harness; buttons: string[] }> {
  const h = await startHarness(
    dialect,
    {
      alerts: { channelId: CHANNEL_ID },
      access: { managers: { roles: [MANAGER_ROLE] } },
      rateLimits: { health: { limit: 2, windowMs: 60_000 } },
    },
    undefined,
    [],
    true,
  );
  (h.services.database as { healthy: boolean }).healthy = false;
  await h.manager.checkAllHealth({ fresh: true });
  await h.adapter.idle();
  const alert = [...h.api.messages.values()].find((m) => JSON.stringify(m).includes('Database is failing'));
  if (!alert) throw new Error('no alert was posted for the database');
  return { h, buttons: customIds(alert) };
}

describe.each(DIALECTS)('alert buttons on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  it.skipIf(skip)(
    'GIVEN an alert WHEN a reader acknowledges it THEN the message says by whom and the button is spent; a second press is told it is settled',
    async () => {
      const { h, buttons } = await failingDatabase(dialect);
      expect(buttons).toEqual([
        'sd1:ack:database:-',
        'sd1:alert-check:database:-',
        'sd1:alert-disable:database:-',
      ]);
      const acked = only(await h.send(buttonPayload('sd1:ack:database:-', reader)));
      expect(acked.type).toBe(7);
      expect(acked.data?.embeds?.[0]?.fields).toContainEqual({
        name: 'Acknowledged',
        value: `by <@${MEMBER_ID}>`,
      });
      expect(acked.data?.components?.[0]?.components[0]).toMatchObject({
        label: 'Acknowledged',
        disabled: true,
      });
      const again = only(await h.send(buttonPayload('sd1:ack:database:-', manager)));
      expect(again).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(titleOf(again)).toBe('Already settled');
      expect(again.data?.embeds?.[0]?.description).toBe('This alert is no longer open.');
    },
  );

  it.skipIf(skip)(
    'GIVEN an alert WHEN someone without access presses its buttons THEN each is refused privately and audited',
    async () => {
      const { h } = await failingDatabase(dialect);
      for (const button of [
        'sd1:ack:database:-',
        'sd1:alert-check:database:-',
        'sd1:alert-disable:database:-',
      ]) {
        const refused = only(await h.send(buttonPayload(button, outsider)));
        expect(refused).toMatchObject({ type: 4, data: { flags: 64 } });
        expect(titleOf(refused)).toBe('Not allowed');
      }
      // A reader may look, not disable.
      const notManager = only(await h.send(buttonPayload('sd1:alert-disable:database:-', reader)));
      expect(titleOf(notManager)).toBe('Not allowed');
      expect(notManager.data?.embeds?.[0]?.description).toContain('managers list');
      const denied = await h.manager.auditLog({ result: 'denied' });
      expect(denied.map((e) => [e.action, e.actor, e.serviceId])).toEqual([
        ['disable', MEMBER_ID, 'database'],
        ['disable', outsider.userId, 'database'],
        ['health', outsider.userId, 'database'],
        ['alert.acknowledge', outsider.userId, 'database'],
      ]);
      expect(denied[0]).toMatchObject({ adapter: 'discord', origin: expect.stringMatching(/^guild:\d+$/) });
      // Nothing was changed by the refused presses.
      expect(h.manager.isEnabled('database')).toBe(true);
    },
  );

  it.skipIf(skip)(
    'GIVEN an alert WHEN a reader presses Check now THEN a fresh check answers privately, within the rate limit',
    async () => {
      const { h } = await failingDatabase(dialect);
      const failing = answer(await h.send(buttonPayload('sd1:alert-check:database:-', reader)));
      expect(failing).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(titleOf(failing)).toBe('🔴 Database: error');
      (h.services.database as { healthy: boolean }).healthy = true;
      const sent = await h.send(buttonPayload('sd1:alert-check:database:-', reader));
      expect(titleOf(answer(sent))).toBe('🟢 Database: active');
      // The recovery found by the check is told in the alert itself.
      const edits = h.api.to(/\/channels\/\d+\/messages\/\d+$/, 'PATCH');
      expect(JSON.stringify(edits.at(-1)?.body)).toContain('recovered');
      const slowed = answer(await h.send(buttonPayload('sd1:alert-check:database:-', reader)));
      expect(titleOf(slowed)).toBe('Slow down');
    },
  );

  it.skipIf(skip)(
    'GIVEN an alert WHEN a manager presses Disable THEN the dry-run plan comes first and confirming disables with its dependents',
    async () => {
      const { h } = await failingDatabase(dialect);
      // Its dependents are enabled: the plan is refused, with a button to take them along.
      const refused = only(await h.send(buttonPayload('sd1:alert-disable:database:-', manager)));
      expect(refused).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(refused.data?.embeds?.[0]?.description).toBe(
        'Cannot disable "database": "digest", "reminders" depend on it and are enabled.',
      );
      expect(customIds(refused.data)).toEqual(['sd1:disable:database:cascade', 'sd1:cancel:database:-']);
      const plan = only(await h.send(buttonPayload('sd1:disable:database:cascade', manager)));
      expect(plan.type).toBe(7);
      expect(JSON.stringify(plan.data?.embeds)).toContain('reminders');
      expect(h.manager.isEnabled('database')).toBe(true);
      const confirm = customIds(plan.data).find((id) => id.startsWith('sd1:disable!:database'));
      expect(confirm).toBe('sd1:disable!:database:cascade');
      const done = only(await h.send(buttonPayload(confirm as string, manager)));
      expect(done.type).toBe(7);
      expect(h.manager.isEnabled('database')).toBe(false);
      expect(h.manager.isEnabled('reminders')).toBe(false);
      const [entry] = await h.manager.auditLog({ action: 'disable', serviceId: 'database' });
      expect(entry).toMatchObject({ actor: ADMIN_ID, adapter: 'discord', result: 'ok' });
    },
  );
});
