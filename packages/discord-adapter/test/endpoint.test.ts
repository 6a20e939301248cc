import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@servicedeck/core';
import sodium from 'libsodium-wrappers';
import { afterEach, describe, expect, it } from 'vitest';
import { startDeck } from '../../../tests/support/deck.js';
import { DiscordAdapter } from '../src/index.js';
import {
  ADMIN_ID,
  autocompletePayload,
  commandPayload,
  FakeDiscordApi,
  MEMBER_ID,
  modalPayload,
  PERMISSIONS,
} from './support/discord.js';
import { discordRequestProblems } from './support/discord-spec.js';

const servers: Server[] = [];
const apis: FakeDiscordApi[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  for (const api of apis.splice(0)) await api.close();
});

async function startEndpoint(deferAfterMs = 1500) {
  await sodium.ready;
  const keys = sodium.crypto_sign_keypair();
  const deck = await startDeck('sqlite');
  const api = new FakeDiscordApi();
  apis.push(api);
  const adapter = new DiscordAdapter(deck.manager, {
    deferAfterMs,
    logger: createLogger({ sink: () => undefined }),
  });
  const endpoint = await adapter.interactionsEndpoint({
    applicationId: '100000000000000001',
    publicKey: sodium.to_hex(keys.publicKey),
    rest: api.rest(),
  });
  const server = createServer(endpoint.listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/interactions`;
  const post = async (body: unknown, sign: 'good' | 'bad' | 'none' | 'old' = 'good') => {
    const text = JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000) - (sign === 'old' ? 3600 : 0));
    const signature = sodium.to_hex(sodium.crypto_sign_detached(timestamp + text, keys.privateKey));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (sign !== 'none') {
      headers['x-signature-ed25519'] =
        sign === 'bad' ? signature.replace(/^../, signature.startsWith('00') ? '11' : '00') : signature;
      headers['x-signature-timestamp'] = timestamp;
    }
    const response = await fetch(url, { method: 'POST', headers, body: text });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { deck, api, adapter, post };
}

describe('HTTP interactions endpoint', () => {
  it('GIVEN the command registered THEN Discord got a valid definition, once', async () => {
    const { api } = await startEndpoint();
    expect(api.to(/\/commands$/, 'POST')).toHaveLength(1);
    expect(api.problems).toEqual([]);
  });

  it('GIVEN a signed PING THEN PONG', async () => {
    const { post } = await startEndpoint();
    expect(await post({ type: 1, id: '1', application_id: '1', token: 't', version: 1 })).toEqual({
      status: 200,
      body: { type: 1 },
    });
  });

  it('GIVEN a bad, missing or stale signature THEN 401 and nothing runs', async () => {
    const { post, deck } = await startEndpoint();
    const disable = commandPayload('disable', { service: 'github' });
    for (const sign of ['bad', 'none', 'old'] as const) {
      expect(await post(disable, sign)).toEqual({
        status: 401,
        body: { error: 'invalid request signature' },
      });
    }
    expect(deck.manager.isEnabled('github')).toBe(true);
  });

  it('GIVEN a signed /services status THEN the HTTP response is the callback, valid for Discord', async () => {
    const { post, api } = await startEndpoint();
    const { status, body } = await post(
      commandPayload(
        'status',
        { service: 'github' },
        { userId: MEMBER_ID, permissions: PERMISSIONS.manageGuild },
      ),
    );
    expect(status).toBe(200);
    expect(body.type).toBe(4);
    expect((body.data as { flags: number; embeds: { title: string }[] }).embeds[0]?.title).toBe('🟡 GitHub');
    expect(discordRequestProblems({ method: 'POST', path: '/interactions/1/t/callback', body })).toEqual([]);
    expect(api.problems).toEqual([]);
  });

  it('GIVEN a slow check THEN the response defers and the result is edited in through REST', async () => {
    const { post, api, deck, adapter } = await startEndpoint(20);
    (deck.services.github as { checkDelayMs: number }).checkDelayMs = 200;
    const { body } = await post(commandPayload('health', { service: 'github' }));
    expect(body).toEqual({ type: 5, data: { flags: 64 } });
    await adapter.idle();
    await expect.poll(() => api.to(/\/messages\/@original$/, 'PATCH').length).toBe(1);
    const edits = api.to(/\/messages\/@original$/, 'PATCH');
    const edit = edits[0]?.body as { embeds: { title: string }[] } | undefined;
    expect(edit?.embeds[0]?.title).toBe('🟢 GitHub: active');
    expect(api.problems).toEqual([]);
  });
});

describe('command registration', () => {
  it('GIVEN the command already registered as is THEN a restart registers nothing; a changed one is updated', async () => {
    const deck = await startDeck('sqlite');
    const api = new FakeDiscordApi();
    apis.push(api);
    const adapter = new DiscordAdapter(deck.manager, {
      commands: { guildId: '200000000000000002' },
      logger: createLogger({ sink: () => undefined }),
    });
    expect(await adapter.registerCommands(api.rest(), '100000000000000001')).toBe('created');
    // Discord's copy: strings for permissions, its own keys added.
    const stored = api.commands.get('200000000000000002')?.[0] as Record<string, unknown>;
    stored.default_member_permissions = '32';
    expect(await adapter.registerCommands(api.rest(), '100000000000000001')).toBe('unchanged');
    stored.description = 'An older description.';
    expect(await adapter.registerCommands(api.rest(), '100000000000000001')).toBe('updated');
    expect(api.to(/\/guilds\/\d+\/commands$/, 'POST')).toHaveLength(2);
    expect(api.problems).toEqual([]);
  });

  it('GIVEN a signed autocomplete THEN the choices are the HTTP response, filtered by what was typed', async () => {
    const { post, api } = await startEndpoint();
    const member = { userId: MEMBER_ID, permissions: PERMISSIONS.manageGuild };
    const { status, body } = await post(autocompletePayload('status', { service: 'rem' }, 'service', member));
    expect(status).toBe(200);
    expect(body).toEqual({
      type: 8,
      data: { choices: [{ name: '🟡 Reminders (reminders) — unknown', value: 'reminders' }] },
    });
    expect(discordRequestProblems({ method: 'POST', path: '/interactions/1/t/callback', body })).toEqual([]);
    // Nothing went through REST: an autocomplete is answered in the HTTP response only.
    expect(api.to(/\/interactions\//)).toEqual([]);
  });

  it('GIVEN a complex setting THEN the form is the HTTP response and its signed submission is saved', async () => {
    const { post, deck } = await startEndpoint();
    const admin = {
      userId: ADMIN_ID,
      permissions: (BigInt(PERMISSIONS.manageGuild) | BigInt(PERMISSIONS.administrator)).toString(),
    };
    const form = await post(commandPayload('config set', { service: 'github', key: 'labels' }, admin));
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({
      type: 9,
      data: { custom_id: 'sd1:set:github:0.labels', title: 'Set labels' },
    });
    expect(
      discordRequestProblems({ method: 'POST', path: '/interactions/1/t/callback', body: form.body }),
    ).toEqual([]);
    const saved = await post(modalPayload('sd1:set:github:0.labels', { value: '{"bug": "red"}' }, admin));
    expect(saved.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect((saved.body.data as { embeds: { title: string }[] }).embeds[0]?.title).toBe(
      'Saved labels of GitHub (version 1)',
    );
    expect((await deck.manager.getConfig('github')).values.labels).toEqual({ bug: 'red' });
    const [entry] = await deck.manager.auditLog({ action: 'config.update' });
    expect(entry).toMatchObject({
      actor: ADMIN_ID,
      adapter: 'discord',
      origin: expect.stringMatching(/^guild:/),
    });
  });
});
