import { describe, expect, it, vi } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { manyServices } from '../../../tests/support/deck.js';
import {
  ADMIN_ID,
  autocompletePayload,
  buttonPayload,
  commandPayload,
  customIds,
  GUILD_ID,
  MANAGER_ROLE,
  MEMBER_ID,
  modalPayload,
  OWNER_ID,
  PERMISSIONS,
  selectPayload,
} from './support/discord.js';
import { startHarness } from './support/harness.js';

interface Embed {
  title?: string;
  description?: string;
  color?: number;
  footer?: { text: string };
  fields?: { name: string; value: string }[];
}
interface Callback {
  type: number;
  data?: {
    flags?: number;
    embeds?: Embed[];
    components?: {
      components: { custom_id?: string; label?: string; disabled?: boolean; options?: unknown[] }[];
    }[];
    choices?: { name: string; value: string | number }[];
    custom_id?: string;
    title?: string;
    content?: string;
  };
}

const only = (sent: { body: unknown }[]): Callback => {
  expect(sent).toHaveLength(1);
  return sent[0]?.body as Callback;
};
const embedOf = (callback: Callback): Embed => callback.data?.embeds?.[0] as Embed;
const field = (embed: Embed, name: string): string | undefined =>
  embed.fields?.find((f) => f.name === name)?.value;

/** The admin of the tests: Manage Server and Administrator. */
const admin = {
  userId: ADMIN_ID,
  permissions: (BigInt(PERMISSIONS.manageGuild) | BigInt(PERMISSIONS.administrator)).toString(),
};
const member = { userId: MEMBER_ID, permissions: PERMISSIONS.manageGuild };

describe.each(DIALECTS)('/services in gateway mode on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  describe('reading', () => {
    it.skipIf(skip)(
      'GIVEN a member with Manage Server WHEN /services status github THEN the status embed and its buttons come back privately',
      async () => {
        const h = await startHarness(dialect);
        await h.manager.checkHealth('github', { fresh: true });
        const body = only(await h.send(commandPayload('status', { service: 'github' }, member)));
        expect(body.type).toBe(4);
        expect(body.data?.flags).toBe(64);
        const embed = embedOf(body);
        expect(embed.title).toBe('🟢 GitHub');
        expect(embed.color).toBe(0x2ecc71);
        expect(field(embed, 'Status')).toBe('🟢 active');
        expect(field(embed, 'Latency')).toMatch(/^(<1|\d+) ms$/);
        expect(field(embed, 'Last check')).toMatch(/^<t:\d+:R>$/);
        expect(field(embed, 'Uptime (24 h)')).toBe('100% of 1 checks');
        expect(customIds(body.data)).toEqual([
          'sd1:disable:github:-',
          'sd1:check:github:-',
          'sd1:config:github:-',
        ]);
      },
    );

    it.skipIf(skip)(
      'GIVEN a failing dependency WHEN /services status of its dependent THEN the cause and dependencies show',
      async () => {
        const h = await startHarness(dialect);
        (h.services.database as { healthy: boolean }).healthy = false;
        (h.services.database as { message: string }).message = 'connection refused';
        (h.services.reminders as { healthy: boolean }).healthy = false;
        (h.services.digest as { healthy: boolean }).healthy = false;
        await h.manager.checkAllHealth({ fresh: true });
        const embed = embedOf(only(await h.send(commandPayload('status', { service: 'reminders' }, member))));
        expect(embed.title).toBe('🔴 Reminders');
        expect(field(embed, 'Root cause')).toBe('Its dependency `database` is failing.');
        expect(field(embed, 'Depends on')).toBe('🔴 `database`');
        expect(field(embed, 'Needed by')).toBe('🔴 `digest`');
      },
    );

    it.skipIf(skip)(
      'GIVEN 300 services WHEN /services list THEN pages of 20 with buttons and a menu, each page within Discord limits',
      async () => {
        const h = await startHarness(dialect, {}, manyServices(300));
        await h.manager.checkAllHealth({ fresh: true });
        const first = only(await h.send(commandPayload('list', {}, member)));
        const embed = embedOf(first);
        expect(embed.footer?.text).toBe('Page 1 of 15 · 300 services');
        expect(embed.description).toContain('🔴 6 error');
        expect(embed.description?.split('\n').filter((line) => line.includes('`svc-'))).toHaveLength(20);
        expect(customIds(first.data)).toEqual([
          'sd1:open::0.-.-',
          'sd1:page::-1.-.-',
          'sd1:page::0.-.-',
          'sd1:page::1.-.-',
        ]);
        expect(first.data?.components?.[0]?.components[0]?.options).toHaveLength(20);
        expect(first.data?.components?.[1]?.components[0]?.disabled).toBe(true);

        const second = only(await h.send(buttonPayload('sd1:page::1.-.-', member)));
        expect(second.type).toBe(7);
        expect(embedOf(second).footer?.text).toBe('Page 2 of 15 · 300 services');
        expect(embedOf(second).description).toContain('`svc-020`');

        const last = only(await h.send(buttonPayload('sd1:page::14.-.-', member)));
        expect(embedOf(last).footer?.text).toBe('Page 15 of 15 · 300 services');
        expect(last.data?.components?.[1]?.components[2]?.disabled).toBe(true);

        const opened = only(await h.send(selectPayload('sd1:open::1.-.-', ['svc-007'], member)));
        expect(opened.type).toBe(7);
        expect(embedOf(opened).title).toBe('🔴 Service 7 with a rather long descriptive name');
        expect(field(embedOf(opened), 'Why')).toContain('503 Service Unavailable');
      },
    );

    it.skipIf(skip)(
      'GIVEN filters WHEN /services list type and status THEN only those services',
      async () => {
        const h = await startHarness(dialect, {}, undefined, ['digest']);
        const body = only(await h.send(commandPayload('list', { status: 'disabled' }, member)));
        const embed = embedOf(body);
        expect(embed.title).toBe('Services (status disabled)');
        expect(embed.description).toContain('`digest`');
        expect(embed.description).not.toContain('`github`');
        const external = embedOf(only(await h.send(commandPayload('list', { type: 'external' }, member))));
        expect(external.footer?.text).toBe('Page 1 of 1 · 1 services');
      },
    );

    it.skipIf(skip)(
      'GIVEN typing in a service option THEN autocomplete offers matching services with their status, at most 25',
      async () => {
        const h = await startHarness(dialect, {}, manyServices(60));
        const body = only(
          await h.send(autocompletePayload('status', { service: 'svc-00' }, 'service', member)),
        );
        expect(body.type).toBe(8);
        expect(body.data?.choices?.map((c) => c.value)).toEqual([
          'svc-000',
          'svc-001',
          'svc-002',
          'svc-003',
          'svc-004',
          'svc-005',
          'svc-006',
          'svc-007',
          'svc-008',
          'svc-009',
        ]);
        expect(body.data?.choices?.[0]?.name).toBe(
          '🟡 Service 0 with a rather long descriptive name (svc-000) — unknown',
        );
        const all = only(await h.send(autocompletePayload('status', { service: '' }, 'service', member)));
        expect(all.data?.choices).toHaveLength(25);
        const byName = only(
          await h.send(autocompletePayload('status', { service: 'SERVICE 42 ' }, 'service', member)),
        );
        expect(byName.data?.choices?.map((c) => c.value)).toEqual(['svc-042']);
        const outsider = only(
          await h.send(
            autocompletePayload('status', { service: '' }, 'service', {
              userId: MEMBER_ID,
              permissions: PERMISSIONS.none,
            }),
          ),
        );
        expect(outsider.data?.choices).toEqual([]);
      },
    );

    it.skipIf(skip)(
      'GIVEN an unknown service WHEN /services status THEN a private error says so and what to do',
      async () => {
        const h = await startHarness(dialect);
        const embed = embedOf(only(await h.send(commandPayload('status', { service: 'nope' }, member))));
        expect(embed.title).toBe("That didn't work");
        expect(embed.description).toContain('"nope"');
        expect(field(embed, 'What to do')).toContain('/services list');
      },
    );

    it.skipIf(skip)(
      'GIVEN the bot fails unexpectedly THEN the user gets a clear private message and no stack trace',
      async () => {
        const h = await startHarness(dialect);
        vi.spyOn(h.manager, 'listServices').mockRejectedValueOnce(new Error('database is locked'));
        const body = only(await h.send(commandPayload('list', {}, member)));
        expect(body.data?.flags).toBe(64);
        expect(embedOf(body).title).toBe('Something went wrong on the bot’s side');
        expect(embedOf(body).description).toBe('database is locked');
        expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
        expect(h.errors()).toEqual([expect.stringContaining('interaction failed')]);
      },
    );
  });

  describe('health', () => {
    it.skipIf(skip)(
      'GIVEN /services health THEN every service is checked now, problems listed first',
      async () => {
        const h = await startHarness(dialect);
        (h.services.github as { healthy: boolean }).healthy = false;
        (h.services.github as { message: string }).message = 'HTTP 401: bad credentials';
        const embed = embedOf(only(await h.send(commandPayload('health', {}, member))));
        expect(embed.title).toBe('Health of 4 services');
        expect(embed.description).toBe(
          '🔴 1 error · 🟢 3 active\n\n🔴 `github` error — check failed: HTTP 401: bad credentials',
        );
      },
    );

    it.skipIf(skip)(
      'GIVEN a slow check WHEN /services health github THEN the answer is deferred and the result follows as an edit',
      async () => {
        const h = await startHarness(dialect, { deferAfterMs: 20 });
        (h.services.github as { checkDelayMs: number }).checkDelayMs = 300;
        const sent = await h.send(commandPayload('health', { service: 'github' }, member));
        expect(
          sent.map((r) => `${r.method} ${r.path.replace(/\?.*/, '').replace(/\d{6,}|token-\d+/g, ':id')}`),
        ).toEqual([
          'POST /api/v10/interactions/:id/:id/callback',
          'PATCH /api/v10/webhooks/:id/:id/messages/@original',
        ]);
        expect(sent[0]?.body).toEqual({ type: 5, data: { flags: 64 } });
        const edit = sent[1]?.body as { embeds: Embed[] };
        expect(edit.embeds[0]?.title).toBe('🟢 GitHub: active');
      },
    );

    it.skipIf(skip)(
      'GIVEN a user checking too often THEN the sixth check within a minute is refused with when to retry',
      async () => {
        const h = await startHarness(dialect);
        for (let i = 0; i < 5; i += 1) {
          expect(embedOf(only(await h.send(buttonPayload('sd1:check:github:-', member)))).title).toBe(
            '🟢 GitHub',
          );
        }
        const refused = only(await h.send(buttonPayload('sd1:check:github:-', member)));
        expect(refused.type).toBe(4);
        expect(refused.data?.flags).toBe(64);
        expect(embedOf(refused).title).toBe('Slow down');
        expect(embedOf(refused).description).toMatch(/try again <t:\d+:R>\.$/);
        // Another user is not slowed down by the first.
        expect(embedOf(only(await h.send(buttonPayload('sd1:check:github:-', admin)))).title).toBe(
          '🟢 GitHub',
        );
      },
    );
  });

  describe('enabling and disabling', () => {
    it.skipIf(skip)(
      'GIVEN disabled dependencies WHEN /services enable THEN refused with a button, then the plan, then the result',
      async () => {
        const h = await startHarness(dialect, {}, undefined, ['database']);
        const refused = only(await h.send(commandPayload('enable', { service: 'reminders' }, admin)));
        expect(embedOf(refused).title).toBe("That didn't work");
        expect(embedOf(refused).description).toContain('database');
        expect(customIds(refused.data)).toEqual(['sd1:enable:reminders:deps', 'sd1:cancel:reminders:-']);

        const plan = only(await h.send(buttonPayload('sd1:enable:reminders:deps', admin)));
        expect(plan.type).toBe(7);
        expect(embedOf(plan).title).toBe('Enable reminders?');
        expect(embedOf(plan).description).toBe(
          'This will, in order:\n1. enable `database` (for `reminders`)\n2. enable `reminders`\n\nNothing changes until you confirm.',
        );
        expect(customIds(plan.data)).toEqual(['sd1:enable!:reminders:deps', 'sd1:cancel:reminders:-']);
        expect(h.manager.isEnabled('database')).toBe(false);

        const done = only(await h.send(buttonPayload('sd1:enable!:reminders:deps', admin)));
        expect(done.type).toBe(7);
        expect(embedOf(done).title).toBe('Enabled reminders');
        expect(embedOf(done).description).toContain('✅ enabled `database`');
        expect(h.manager.isEnabled('database')).toBe(true);
        expect(h.manager.isEnabled('reminders')).toBe(true);
        const audit = await h.manager.auditLog({ action: 'enable' });
        expect(audit.map((e) => [e.serviceId, e.actor, e.adapter, e.origin])).toEqual([
          ['reminders', ADMIN_ID, 'discord', `guild:${GUILD_ID}`],
          ['database', ADMIN_ID, 'discord', `guild:${GUILD_ID}`],
        ]);
      },
    );

    it.skipIf(skip)(
      'GIVEN enabled dependents WHEN /services disable cascade THEN the plan lists them first and cancel changes nothing',
      async () => {
        const h = await startHarness(dialect);
        const plan = only(
          await h.send(commandPayload('disable', { service: 'database', cascade: true }, admin)),
        );
        expect(embedOf(plan).description).toBe(
          'This will, in order:\n1. disable `digest` (for `database`)\n2. disable `reminders` (for `database`)\n3. disable `database`\n\nNothing changes until you confirm.',
        );
        expect(plan.data?.components?.[0]?.components[0]?.label).toBe('Yes, disable 3 services');
        const back = only(await h.send(buttonPayload('sd1:cancel:database:-', admin)));
        expect(embedOf(back).title).toBe('🟡 Database');
        expect(h.manager.isEnabled('database')).toBe(true);
        const done = only(await h.send(buttonPayload('sd1:disable!:database:cascade', admin)));
        expect(embedOf(done).title).toBe('Disabled database');
        expect(['database', 'reminders', 'digest'].map((id) => h.manager.isEnabled(id))).toEqual([
          false,
          false,
          false,
        ]);
      },
    );

    it.skipIf(skip)(
      'GIVEN a status message from before a restart WHEN its buttons are pressed after THEN they still work',
      async () => {
        const h = await startHarness(dialect);
        const status = only(await h.send(commandPayload('status', { service: 'github' }, admin)));
        const [disable] = customIds(status.data);
        await h.restart();
        const plan = only(await h.send(buttonPayload(disable as string, admin)));
        expect(embedOf(plan).title).toBe('Disable github?');
        const done = only(await h.send(buttonPayload(customIds(plan.data)[0] as string, admin)));
        expect(embedOf(done).title).toBe('Disabled github');
        expect(h.manager.isEnabled('github')).toBe(false);
      },
    );

    it.skipIf(skip)(
      'GIVEN a button of a service gone from the catalog or a malformed one THEN a clear private answer',
      async () => {
        const h = await startHarness(dialect);
        const gone = embedOf(only(await h.send(buttonPayload('sd1:disable!:vanished:-', admin))));
        expect(gone.description).toContain('"vanished"');
        const old = only(await h.send(buttonPayload('sd1:explode:github:-', admin)));
        expect(embedOf(old).title).toBe('Out of date');
        expect(old.data?.flags).toBe(64);
      },
    );

    it.skipIf(skip)(
      'GIVEN a service whose enable throws WHEN enabled THEN the result shows the failure and why',
      async () => {
        const h = await startHarness(dialect, {}, undefined, ['github']);
        (h.services.github as { failEnable: boolean }).failEnable = true;
        const done = embedOf(only(await h.send(buttonPayload('sd1:enable!:github:-', admin))));
        expect(done.title).toBe('Enabling github partly failed');
        expect(done.description).toContain('❌ enabled `github`: 🔴 error');
        expect(done.description).toContain('connection refused');
      },
    );
  });

  describe('who may do what', () => {
    it.skipIf(skip)(
      'GIVEN a member with Manage Server but not on the managers list WHEN enabling THEN refused privately and audited',
      async () => {
        const h = await startHarness(dialect, { access: { managers: { roles: [MANAGER_ROLE] } } });
        const body = only(await h.send(commandPayload('disable', { service: 'github' }, admin)));
        expect(embedOf(body).title).toBe('Not allowed');
        expect(embedOf(body).description).toContain('managers list');
        const denied = await h.manager.auditLog({ result: 'denied' });
        expect(denied[0]).toMatchObject({
          actor: ADMIN_ID,
          adapter: 'discord',
          action: 'disable',
          serviceId: 'github',
          origin: `guild:${GUILD_ID}`,
        });
        expect(denied[0]?.details.reason).toContain('managers list');
      },
    );

    it.skipIf(skip)('GIVEN the managers role or the bot owner THEN managing is allowed', async () => {
      const h = await startHarness(dialect, {
        access: { managers: { roles: [MANAGER_ROLE] }, owners: [OWNER_ID] },
      });
      const withRole = only(
        await h.send(
          commandPayload(
            'disable',
            { service: 'github' },
            { userId: MEMBER_ID, roles: [MANAGER_ROLE], permissions: PERMISSIONS.none },
          ),
        ),
      );
      expect(embedOf(withRole).title).toBe('Disable github?');
      const owner = only(
        await h.send(
          commandPayload(
            'disable',
            { service: 'github' },
            { userId: OWNER_ID, permissions: PERMISSIONS.none },
          ),
        ),
      );
      expect(embedOf(owner).title).toBe('Disable github?');
    });

    it.skipIf(skip)(
      'GIVEN no managers list WHEN a member without Administrator manages THEN refused; reading is still allowed',
      async () => {
        const h = await startHarness(dialect);
        expect(
          embedOf(only(await h.send(commandPayload('config view', { service: 'github' }, member)))).title,
        ).toBe('Not allowed');
        expect(embedOf(only(await h.send(commandPayload('audit', {}, member)))).title).toBe('Not allowed');
        expect(
          embedOf(only(await h.send(commandPayload('status', { service: 'github' }, member)))).title,
        ).toBe('🟡 GitHub');
      },
    );

    it.skipIf(skip)(
      'GIVEN a member without Manage Server WHEN pressing a status button THEN refused and audited',
      async () => {
        const h = await startHarness(dialect);
        const nobody = { userId: MEMBER_ID, permissions: PERMISSIONS.none };
        expect(embedOf(only(await h.send(buttonPayload('sd1:check:github:-', nobody)))).title).toBe(
          'Not allowed',
        );
        expect((await h.manager.auditLog({ result: 'denied' }))[0]).toMatchObject({
          action: 'health',
          actor: MEMBER_ID,
        });
      },
    );

    it.skipIf(skip)(
      'GIVEN a manager changing too much THEN the eleventh change within a minute is refused',
      async () => {
        const h = await startHarness(dialect, { rateLimits: { manage: { limit: 2, windowMs: 60_000 } } });
        expect(embedOf(only(await h.send(buttonPayload('sd1:disable!:github:-', admin)))).title).toBe(
          'Disabled github',
        );
        expect(embedOf(only(await h.send(buttonPayload('sd1:enable!:github:-', admin)))).title).toBe(
          'Enabled github',
        );
        expect(embedOf(only(await h.send(buttonPayload('sd1:disable!:github:-', admin)))).title).toBe(
          'Slow down',
        );
        expect(h.manager.isEnabled('github')).toBe(true);
      },
    );
  });

  describe('configuration', () => {
    it.skipIf(skip)('GIVEN a secret WHEN set and viewed THEN it is never echoed', async () => {
      const h = await startHarness(dialect);
      const saved = only(
        await h.send(
          commandPayload('config set', { service: 'github', key: 'token', value: 'ghp_supersecret' }, admin),
        ),
      );
      expect(embedOf(saved).title).toBe('Saved token of GitHub (version 1)');
      expect(embedOf(saved).description).toContain('`token`: (unset) → ••••••');
      const view = embedOf(only(await h.send(commandPayload('config view', { service: 'github' }, admin))));
      expect(field(view, '🔒 token')).toBe('`••••••` · stored');
      expect(field(view, 'retries')).toBe('`3` · default');
      expect(JSON.stringify(h.api.requests)).not.toContain('ghp_supersecret');
      const history = embedOf(
        only(await h.send(commandPayload('config history', { service: 'github' }, admin))),
      );
      expect(history.description).toMatch(/^\*\*v1\*\* <t:\d+:R> by <@\d+> — token: \(unset\) → ••••••$/);
      expect(JSON.stringify(await h.manager.auditLog())).not.toContain('ghp_supersecret');
    });

    it.skipIf(skip)(
      'GIVEN an invalid value THEN the error names the field and nothing is stored',
      async () => {
        const h = await startHarness(dialect);
        const error = embedOf(
          only(
            await h.send(
              commandPayload('config set', { service: 'github', key: 'retries', value: '99' }, admin),
            ),
          ),
        );
        expect(error.description).toContain('/retries: must be <= 10');
        expect((await h.manager.getConfig('github')).version).toBe(0);
        const unknownKey = embedOf(
          only(
            await h.send(
              commandPayload('config set', { service: 'github', key: 'colour', value: 'red' }, admin),
            ),
          ),
        );
        expect(unknownKey.title).toBe('Unknown setting');
        expect(unknownKey.description).toContain('`token`, `org`, `retries`, `labels`');
      },
    );

    it.skipIf(skip)(
      'GIVEN a complex setting WHEN set THEN a form opens, and its submission is validated and saved',
      async () => {
        const h = await startHarness(dialect);
        const form = only(
          await h.send(commandPayload('config set', { service: 'github', key: 'labels' }, admin)),
        );
        expect(form.type).toBe(9);
        expect(form.data?.custom_id).toBe('sd1:set:github:0.labels');
        expect(form.data?.title).toBe('Set labels');
        const bad = only(
          await h.send(modalPayload('sd1:set:github:0.labels', { value: '{bug: red' }, admin)),
        );
        expect(embedOf(bad).title).toBe('Not a valid value');
        const saved = only(
          await h.send(modalPayload('sd1:set:github:0.labels', { value: '{"bug": "red"}' }, admin)),
        );
        expect(embedOf(saved).title).toBe('Saved labels of GitHub (version 1)');
        expect((await h.manager.getConfig('github')).values.labels).toEqual({ bug: 'red' });
        // A second form opened on version 0 conflicts instead of overwriting version 1.
        const stale = only(
          await h.send(modalPayload('sd1:set:github:0.labels', { value: '{"bug": "blue"}' }, admin)),
        );
        expect(field(embedOf(stale), 'What to do')).toContain('changed these settings meanwhile');
        expect((await h.manager.getConfig('github')).values.labels).toEqual({ bug: 'red' });
      },
    );

    it.skipIf(skip)(
      'GIVEN versions WHEN rolling back with autocomplete THEN the versions are offered and the old settings return',
      async () => {
        const h = await startHarness(dialect);
        await h.send(commandPayload('config set', { service: 'github', key: 'org', value: 'first' }, admin));
        await h.send(commandPayload('config set', { service: 'github', key: 'org', value: 'second' }, admin));
        const versions = only(
          await h.send(
            autocompletePayload('config rollback', { service: 'github', version: '' }, 'version', admin),
          ),
        );
        expect(versions.data?.choices?.map((c) => c.value)).toEqual([2, 1]);
        expect(versions.data?.choices?.[0]?.name).toMatch(
          /^v2 · \d{4}-\d\d-\d\d \d\d:\d\d UTC · discord · org$/,
        );
        const keys = only(
          await h.send(autocompletePayload('config set', { service: 'github', key: 're' }, 'key', admin)),
        );
        expect(keys.data?.choices).toEqual([{ name: 'retries · integer', value: 'retries' }]);
        const done = embedOf(
          only(await h.send(commandPayload('config rollback', { service: 'github', version: 1 }, admin))),
        );
        expect(done.title).toBe('Rolled back to the settings of version 1 (version 3)');
        expect((await h.manager.getConfig('github')).values.org).toBe('first');
      },
    );

    it.skipIf(skip)('GIVEN actions THEN /services audit lists who did what, newest first', async () => {
      const h = await startHarness(dialect);
      await h.send(commandPayload('config set', { service: 'github', key: 'org', value: 'acme' }, admin));
      await h.send(buttonPayload('sd1:disable!:github:-', admin));
      const embed = embedOf(only(await h.send(commandPayload('audit', { service: 'github' }, admin))));
      expect(embed.title).toBe('Audit log of github');
      const lines = embed.description?.split('\n') ?? [];
      expect(lines[0]).toMatch(new RegExp(`^✅ <t:\\d+:f> <@${ADMIN_ID}>: disable \`github\`$`));
      expect(lines[1]).toMatch(new RegExp(`^✅ <t:\\d+:f> <@${ADMIN_ID}>: config.update \`github\`$`));
    });
  });
});
