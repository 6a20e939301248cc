import {
  type ReloadResult,
  ServiceDeckError,
  type ServiceInterface,
  type ServiceSummary,
} from '@servicedeck/core';
import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { commandLength, embedLength, LIMITS, servicesCommand } from '../src/index.js';
import { reloadView } from '../src/render.js';
import {
  ADMIN_ID,
  APPLICATION_ID,
  autocompletePayload,
  commandPayload,
  customIds,
  GUILD_ID,
  MEMBER_ID,
  PERMISSIONS,
} from './support/discord.js';
import { discordRequestProblems } from './support/discord-spec.js';
import { type ServiceFile, serviceSource, startFileHarness } from './support/file-services.js';

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
    components?: { components: { custom_id?: string }[] }[];
    choices?: { name: string; value: string | number }[];
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
/** A reader: Manage Server, but not Administrator (no managers list is configured). */
const member = { userId: MEMBER_ID, permissions: PERMISSIONS.manageGuild };

const greeter: ServiceFile = {
  id: 'greeter',
  name: 'Greeter',
  version: '1.0.0',
  greeting: 'Hello',
};
const welcome: ServiceFile = {
  id: 'welcome',
  name: 'Welcome',
  version: '1.0.0',
  dependencies: ['greeter'],
};

type Greeter = ServiceInterface & { greet(name: string): string };

describe('the /services reload definition', () => {
  it('GIVEN /services THEN it has reload with a required, autocompleted service, and stays valid and within 4 000 characters', () => {
    const definition = servicesCommand();
    const reload = definition.options?.find((o) => o.name === 'reload');
    expect(reload).toMatchObject({
      type: ApplicationCommandOptionType.Subcommand,
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'service',
          required: true,
          autocomplete: true,
        },
      ],
    });
    expect(commandLength(definition)).toBeLessThanOrEqual(LIMITS.commandTotal);
    expect(
      discordRequestProblems({
        method: 'POST',
        path: `/applications/${APPLICATION_ID}/commands`,
        body: definition,
      }),
    ).toEqual([]);
  });
});

const summary = (over: Partial<ServiceSummary> = {}): ServiceSummary => ({
  id: 'greeter',
  name: 'Greeter',
  description: '',
  type: 'internal',
  version: '1.0.0',
  dependencies: [],
  tags: [],
  enabled: true,
  status: 'active',
  statusMessage: null,
  running: true,
  missing: false,
  source: '/bot/services/greeter.service.mjs',
  lastHealthCheck: null,
  latencyMs: null,
  ...over,
});

const failed = (over: Partial<ReloadResult> = {}, reason = 'boom'): ReloadResult => ({
  serviceId: 'greeter',
  result: 'failed',
  applied: 'here',
  revision: null,
  previousVersion: '1.0.0',
  version: '1.0.0',
  stage: 'health',
  error: new ServiceDeckError('SD_ERR_RELOAD_FAILED', reason, { hint: 'Fix the code and reload again.' }),
  rolledBack: true,
  running: true,
  status: 'active',
  message: null,
  dependents: [],
  durationMs: 1234.5,
  ...over,
});

describe('reloadView', () => {
  it('GIVEN a failed health check after the swap THEN it says the previous version was started again', () => {
    const [embed] = reloadView(summary(), failed()).embeds;
    expect(embed?.title).toBe('Reload of Greeter failed');
    expect(embed?.description).toBe('boom');
    expect(embed?.fields?.map((f) => [f.name, f.value])).toEqual([
      ['Failed at', "`health` (the new version's first health check)"],
      ['Version', '`1.0.0` (unchanged)'],
      ['Status', '🟢 active'],
      ['Took', '1.2 s'],
      ['Rolled back', 'Yes: the previous version was started again.'],
      ['What to do', 'Fix the error and run /services reload again; the previous version keeps running.'],
    ]);
  });

  it('GIVEN a rollback whose restart failed THEN it warns that the service is not running, saying why once', () => {
    const [embed] = reloadView(
      summary({ status: 'error', running: false }),
      failed({ running: false, status: 'error', message: 'enable() threw: port in use', stage: 'start' }),
    ).embeds;
    // The reason in the description already says why; no second "Why".
    expect(embed?.fields?.find((f) => f.name === 'Why')).toBeUndefined();
    expect(embed?.fields?.find((f) => f.name === 'Rolled back')?.value).toBe(
      '⚠️ Yes, but the previous version did not start again.',
    );
    expect(embed?.fields?.find((f) => f.name === 'What to do')?.value).toContain('/services status');
  });

  it('GIVEN a disabled service reloaded, or a reload recorded for other processes THEN it says when the code applies', () => {
    const ok = failed({
      result: 'ok',
      error: null,
      stage: null,
      rolledBack: false,
      running: false,
      status: 'inactive',
      version: '1.1.0',
      revision: 7,
    });
    const [disabled] = reloadView(summary({ enabled: false, running: false }), ok).embeds;
    expect(disabled?.title).toBe('Reloaded Greeter');
    expect(disabled?.description).toBe(
      'It is not running (disabled): the new code is used from its next start.',
    );
    expect(disabled?.fields?.find((f) => f.name === 'Status')?.value).toBe('⚫ disabled');
    expect(disabled?.footer?.text).toBe('greeter · revision 7');
    const [recorded] = reloadView(summary(), { ...ok, applied: 'recorded' }).embeds;
    expect(recorded?.description).toContain('the processes running the bot apply it within seconds');
  });

  it('GIVEN a huge reason and many failed dependents THEN the embed stays within Discord limits', () => {
    const dependents = Array.from({ length: 80 }, (_, i) => ({
      serviceId: `dependent-${i}`,
      action: 'restarted' as const,
      result: 'failed' as const,
      message: 'x'.repeat(400),
    }));
    const { embeds } = reloadView(summary(), failed({ stage: 'dependents', dependents }, 'y'.repeat(9000)));
    const [embed] = embeds;
    expect(embedLength(embed as NonNullable<typeof embed>)).toBeLessThanOrEqual(LIMITS.embedTotal);
    expect(embed?.description?.length).toBeLessThanOrEqual(LIMITS.embedDescription);
    for (const f of embed?.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(LIMITS.fieldValue);
    expect(embed?.fields?.find((f) => f.name === 'Dependents')?.value).toMatch(/… and \d+ more$/);
    expect(
      discordRequestProblems({
        method: 'POST',
        path: `/interactions/1/token/callback`,
        body: { type: 4, data: { embeds, flags: 64 } },
      }),
    ).toEqual([]);
  });
});

describe.each(DIALECTS)('/services reload on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  it.skipIf(skip)(
    'GIVEN a service file changed on disk WHEN an admin runs /services reload THEN the embed shows the new version and the new code runs',
    async () => {
      const h = await startFileHarness(dialect, [greeter, welcome]);
      expect(h.manager.getService<Greeter>('greeter').greet('Ada')).toBe('Hello, Ada!');
      await h.write('greeter', serviceSource({ ...greeter, version: '1.1.0', greeting: 'Hi there' }));

      const body = only(await h.send(commandPayload('reload', { service: 'greeter' }, admin)));
      expect(body.type).toBe(4);
      expect(body.data?.flags).toBe(64);
      const embed = embedOf(body);
      expect(embed.title).toBe('Reloaded Greeter');
      expect(embed.description).toBe('The new code runs now.');
      expect(embed.color).toBe(0x2ecc71);
      expect(field(embed, 'Version')).toBe('`1.0.0` → `1.1.0`');
      expect(field(embed, 'Status')).toBe('🟢 active');
      expect(field(embed, 'Took')).toMatch(/^(\d+ ms|\d+\.\d s)$/);
      expect(field(embed, 'Dependents')).toBe('✅ restarted `welcome`');
      expect(embed.footer?.text).toMatch(/^greeter · revision \d+$/);
      expect(customIds(body.data)).toEqual(['sd1:cancel:greeter:-']);

      expect(h.manager.getService<Greeter>('greeter').greet('Ada')).toBe('Hi there, Ada!');
      expect(h.manager.getServiceInfo('greeter').version).toBe('1.1.0');
      const audit = await h.manager.auditLog({ action: 'reload' });
      expect(audit.map((e) => [e.serviceId, e.result, e.actor, e.adapter, e.origin])).toEqual([
        ['greeter', 'ok', ADMIN_ID, 'discord', `guild:${GUILD_ID}`],
      ]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a syntax error in the service file WHEN /services reload THEN it says it failed at load and the old version keeps running',
    async () => {
      const h = await startFileHarness(dialect, [greeter]);
      await h.manager.checkHealth('greeter', { fresh: true });
      await h.write('greeter', 'export const SERVICE_METADATA = { id: "greeter", ;\n');

      const embed = embedOf(only(await h.send(commandPayload('reload', { service: 'greeter' }, admin))));
      expect(embed.title).toBe('Reload of Greeter failed');
      expect(embed.color).toBe(0xe74c3c);
      expect(embed.description).toContain('greeter');
      expect(field(embed, 'Failed at')).toBe('`load` (loading the new code)');
      expect(field(embed, 'Version')).toBe('`1.0.0` (unchanged)');
      expect(field(embed, 'Status')).toBe('🟢 active');
      expect(field(embed, 'Rolled back')).toBe('No need: the previous version was never stopped.');
      expect(field(embed, 'What to do')).toBe(
        'Fix the error and run /services reload again; the previous version keeps running.',
      );

      expect(h.manager.getService<Greeter>('greeter').greet('Ada')).toBe('Hello, Ada!');
      expect(h.manager.getServiceInfo('greeter').version).toBe('1.0.0');
      const [entry] = await h.manager.auditLog({ action: 'reload' });
      expect(entry).toMatchObject({ serviceId: 'greeter', result: 'failed', actor: ADMIN_ID });
      expect(entry?.details.stage).toBe('load');
    },
  );

  it.skipIf(skip)(
    'GIVEN a slow reload WHEN /services reload THEN the answer is deferred privately and the result follows as an edit',
    async () => {
      const h = await startFileHarness(dialect, [greeter], { deferAfterMs: 20 });
      await h.write('greeter', serviceSource({ ...greeter, version: '2.0.0', enableDelayMs: 300 }));
      const sent = await h.send(commandPayload('reload', { service: 'greeter' }, admin));
      expect(
        sent.map((r) => `${r.method} ${r.path.replace(/\?.*/, '').replace(/\d{6,}|token-\d+/g, ':id')}`),
      ).toEqual([
        'POST /api/v10/interactions/:id/:id/callback',
        'PATCH /api/v10/webhooks/:id/:id/messages/@original',
      ]);
      expect(sent[0]?.body).toEqual({ type: 5, data: { flags: 64 } });
      const edit = sent[1]?.body as { embeds: Embed[] };
      expect(edit.embeds[0]?.title).toBe('Reloaded Greeter');
      expect(field(edit.embeds[0] as Embed, 'Version')).toBe('`1.0.0` → `2.0.0`');
    },
  );

  it.skipIf(skip)(
    'GIVEN a member without the manage permission WHEN /services reload THEN refused privately, audited, and nothing reloaded',
    async () => {
      const h = await startFileHarness(dialect, [greeter]);
      await h.write('greeter', serviceSource({ ...greeter, version: '1.1.0', greeting: 'Hi' }));
      const body = only(await h.send(commandPayload('reload', { service: 'greeter' }, member)));
      expect(body.data?.flags).toBe(64);
      expect(embedOf(body).title).toBe('Not allowed');
      expect(embedOf(body).description).toContain('Administrator');
      const denied = await h.manager.auditLog({ result: 'denied' });
      expect(denied[0]).toMatchObject({
        actor: MEMBER_ID,
        adapter: 'discord',
        action: 'reload',
        serviceId: 'greeter',
        origin: `guild:${GUILD_ID}`,
      });
      expect(denied[0]?.details.reason).toContain('Administrator');
      expect(await h.manager.auditLog({ action: 'reload', result: 'ok' })).toEqual([]);
      expect(h.manager.getService<Greeter>('greeter').greet('Ada')).toBe('Hello, Ada!');
    },
  );

  it.skipIf(skip)(
    'GIVEN a manager reloading too often THEN the reload over the manage rate limit is refused',
    async () => {
      const h = await startFileHarness(dialect, [greeter], {
        rateLimits: { manage: { limit: 1, windowMs: 60_000 } },
      });
      const first = embedOf(only(await h.send(commandPayload('reload', { service: 'greeter' }, admin))));
      expect(first.title).toBe('Reloaded Greeter');
      expect(field(first, 'Version')).toBe('`1.0.0` (unchanged)');
      const second = embedOf(only(await h.send(commandPayload('reload', { service: 'greeter' }, admin))));
      expect(second.title).toBe('Slow down');
      expect(await h.manager.auditLog({ action: 'reload' })).toHaveLength(1);
    },
  );

  it.skipIf(skip)(
    'GIVEN a service registered in code or an unknown one WHEN /services reload THEN a private error says why and what to do',
    async () => {
      const h = await startFileHarness(dialect, [greeter]);
      const unsupported = embedOf(only(await h.send(commandPayload('reload', { service: 'github' }, admin))));
      expect(unsupported.title).toBe("That didn't work");
      expect(unsupported.description).toContain('"github"');
      expect(field(unsupported, 'What to do')).toContain('Only services loaded from a file');
      const unknown = embedOf(only(await h.send(commandPayload('reload', { service: 'nope' }, admin))));
      expect(unknown.title).toBe("That didn't work");
      expect(field(unknown, 'What to do')).toContain('/services list');
      expect(h.errors()).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN typing the service of /services reload THEN autocomplete offers the services that can be reloaded',
    async () => {
      const h = await startFileHarness(dialect, [greeter, welcome]);
      await h.manager.checkAllHealth({ fresh: true });
      const reload = only(await h.send(autocompletePayload('reload', { service: '' }, 'service', admin)));
      expect(reload.type).toBe(8);
      expect(reload.data?.choices).toEqual([
        { name: '🟢 Greeter (greeter) — active', value: 'greeter' },
        { name: '🟢 Welcome (welcome) — active', value: 'welcome' },
      ]);
      const typed = only(await h.send(autocompletePayload('reload', { service: 'wel' }, 'service', admin)));
      expect(typed.data?.choices?.map((c) => c.value)).toEqual(['welcome']);
      // Other subcommands still offer every service.
      const status = only(await h.send(autocompletePayload('status', { service: '' }, 'service', admin)));
      expect(status.data?.choices?.map((c) => c.value)).toEqual(
        expect.arrayContaining(['database', 'github', 'greeter', 'welcome']),
      );
    },
  );
});
