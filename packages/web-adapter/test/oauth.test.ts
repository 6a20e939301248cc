import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { accessLevelOf } from '../src/index.js';
import { startWeb } from './support/web.js';

const GUILD = '200000000000000002';
const MANAGERS = '500000000000000007';
const MANAGE_GUILD = String(1n << 5n);

interface FakeUser {
  id: string;
  username: string;
  inGuild: boolean;
  roles: string[];
  permissions: string;
}

/** Discord's OAuth2 and the user endpoints the dashboard reads, on 127.0.0.1, with PKCE checked. */
class StandInDiscord {
  public readonly users = new Map<string, FakeUser>();
  /** Who the next authorization logs in as. */
  public next = '';
  private readonly codes = new Map<string, { user: string; challenge: string; redirect: string }>();
  private readonly tokens = new Map<string, string>();
  private server: Server | undefined;
  public url = '';

  public async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/oauth2/authorize') {
      const p = url.searchParams;
      expect(p.get('code_challenge_method')).toBe('S256');
      expect(p.get('scope')).toBe('identify guilds guilds.members.read');
      const code = `code-${Math.random().toString(36).slice(2)}`;
      this.codes.set(code, {
        user: this.next,
        challenge: p.get('code_challenge') ?? '',
        redirect: p.get('redirect_uri') ?? '',
      });
      const back = new URL(p.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({ code, state: p.get('state') ?? '' }).toString();
      response.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/oauth2/token' && request.method === 'POST') {
      let text = '';
      for await (const chunk of request) text += chunk;
      const form = new URLSearchParams(text);
      if (request.headers.authorization !== `Basic ${Buffer.from('client:secret').toString('base64')}`) {
        json(401, { error: 'invalid_client' });
        return;
      }
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!grant || grant.challenge !== challenge || grant.redirect !== form.get('redirect_uri')) {
        json(400, { error: 'invalid_grant' });
        return;
      }
      const token = `token-${Math.random().toString(36).slice(2)}`;
      this.tokens.set(token, grant.user);
      json(200, {
        access_token: token,
        token_type: 'Bearer',
        expires_in: 604_800,
        refresh_token: 'refresh',
        scope: 'identify',
      });
      return;
    }
    const user = this.users.get(
      this.tokens.get((request.headers.authorization ?? '').replace('Bearer ', '')) ?? '',
    );
    if (!user) {
      json(401, { message: '401: Unauthorized', code: 0 });
      return;
    }
    if (url.pathname === '/users/@me') json(200, { id: user.id, username: user.username });
    else if (url.pathname === '/users/@me/guilds')
      json(200, user.inGuild ? [{ id: GUILD, name: 'Bot HQ', permissions: user.permissions }] : []);
    else if (url.pathname === `/users/@me/guilds/${GUILD}/member`)
      user.inGuild ? json(200, { roles: user.roles }) : json(404, { message: 'Unknown Guild', code: 10004 });
    else json(404, { message: 'not here' });
  }
}

const stands: StandInDiscord[] = [];
afterEach(async () => {
  for (const stand of stands.splice(0)) await stand.stop();
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function setUp(recheckMs = 60_000) {
  const discord = new StandInDiscord();
  stands.push(discord);
  await discord.start();
  discord.users.set('alice', {
    id: '400000000000000004',
    username: 'alice',
    inGuild: true,
    roles: [MANAGERS],
    permissions: '0',
  });
  discord.users.set('bob', {
    id: '400000000000000005',
    username: 'bob',
    inGuild: true,
    roles: [],
    permissions: MANAGE_GUILD,
  });
  discord.users.set('eve', {
    id: '400000000000000009',
    username: 'eve',
    inGuild: false,
    roles: [],
    permissions: '0',
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const w = await startWeb('sqlite', {
    port,
    publicUrl: base,
    oauth: {
      clientId: 'client',
      clientSecret: 'secret',
      guildId: GUILD,
      managers: { roles: [MANAGERS] },
      recheckMs,
      apiBase: discord.url,
      authorizeUrl: `${discord.url}/oauth2/authorize`,
    },
  });
  await w.web.listen();
  /** Starts a login as `who` and lets Discord authorize it: the callback URL and the state cookie. */
  const begin = async (who: string) => {
    discord.next = who;
    const start = await fetch(`${base}/auth/discord/login`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const stateCookie = (start.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(stateCookie).toMatch(/^servicedeck_oauth_state=/);
    const authorize = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
    return { callbackUrl: authorize.headers.get('location') as string, stateCookie };
  };
  /** Goes through the whole login as `who`; returns the final response and the session cookie. */
  const login = async (who: string) => {
    const { callbackUrl, stateCookie } = await begin(who);
    const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: stateCookie } });
    const session = (callback.headers.get('set-cookie') ?? '')
      .split(/,(?=\s*\w+=)/)
      .map((c) => c.trim().split(';')[0] as string)
      .find((c) => c.startsWith('servicedeck_session='));
    return { callback, session, callbackUrl, stateCookie };
  };
  const me = (cookie: string) => fetch(`${base}/api/session`, { headers: { cookie } });
  return { w, discord, base, begin, login, me };
}

describe('Discord login', () => {
  it('GIVEN a member on the managers list THEN the login (state + PKCE) opens a manage session as their user id', async () => {
    const { login, me, w, base } = await setUp();
    const { callback, session } = await login('alice');
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/');
    const who = await me(session as string);
    expect(await who.json()).toMatchObject({ actor: '400000000000000004', level: 'manage', via: 'session' });
    const csrf = ((await (await me(session as string)).json()) as { csrfToken: string }).csrfToken;
    const disabled = await fetch(`${base}/api/services/github/disable`, {
      method: 'POST',
      headers: { cookie: session as string, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(disabled.status).toBe(200);
    expect((await w.manager.auditLog({ action: 'disable' }))[0]).toMatchObject({
      actor: '400000000000000004',
      adapter: 'web',
    });
  });

  it('GIVEN a member with Manage Server only THEN they may read, not manage', async () => {
    const { login, me, base } = await setUp();
    const { session } = await login('bob');
    const body = (await (await me(session as string)).json()) as { level: string; csrfToken: string };
    expect(body.level).toBe('read');
    const refused = await fetch(`${base}/api/services/github/disable`, {
      method: 'POST',
      headers: {
        cookie: session as string,
        'x-csrf-token': body.csrfToken,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(refused.status).toBe(403);
  });

  it('GIVEN someone outside the guild THEN the login is refused and audited', async () => {
    const { login, w } = await setUp();
    const { callback, session } = await login('eve');
    expect(callback.status).toBe(403);
    expect(session).toBeUndefined();
    expect(((await callback.json()) as { error: { code: string } }).error.code).toBe('SD_ERR_FORBIDDEN');
    expect((await w.manager.auditLog({ result: 'denied' }))[0]).toMatchObject({
      action: 'login',
      actor: '400000000000000009',
    });
  });

  it('GIVEN a callback without its state cookie, or replayed THEN it is refused', async () => {
    const { login, begin } = await setUp();
    const { callbackUrl, stateCookie } = await login('alice');
    // The same callback again: its state and code are spent.
    const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: stateCookie } });
    expect(replay.status).toBe(400);
    // A callback reaching a browser that did not start the login (no state cookie): refused.
    const { callbackUrl: fresh } = await begin('alice');
    const noCookie = await fetch(fresh, { redirect: 'manual' });
    expect(noCookie.status).toBe(400);
    expect(((await noCookie.json()) as { error: { hint: string } }).error.hint).toBe(
      'Start again at /auth/discord/login.',
    );
  });

  it('GIVEN a member who loses their roles THEN their session is lowered, then ended', async () => {
    const { login, me, discord } = await setUp(0);
    const { session } = await login('alice');
    expect(((await (await me(session as string)).json()) as { level: string }).level).toBe('manage');
    const alice = discord.users.get('alice') as FakeUser;
    alice.roles = [];
    alice.permissions = MANAGE_GUILD;
    expect(((await (await me(session as string)).json()) as { level: string }).level).toBe('read');
    alice.inGuild = false;
    const ended = await me(session as string);
    expect(ended.status).toBe(401);
    expect(((await ended.json()) as { error: { message: string } }).error.message).toBe(
      'Your access to this dashboard was removed, so your session ended.',
    );
    expect((await me(session as string)).status).toBe(401);
  });

  it('GIVEN Discord login configured without a public URL THEN the dashboard refuses to start, saying what to set', async () => {
    await expect(
      startWeb('sqlite', { oauth: { clientId: 'c', clientSecret: 's', guildId: GUILD } }),
    ).rejects.toThrow(
      'Discord login needs the URL people reach the dashboard at (publicUrl), for its redirect URI.',
    );
  });
});

describe('accessLevelOf', () => {
  const rules = {
    clientId: 'c',
    clientSecret: 's',
    guildId: GUILD,
    owners: ['1'],
    readers: { roles: ['r'] },
  };
  it('GIVEN the rules THEN owners manage anywhere, Administrator manages without a list, readers and Manage Server read', () => {
    expect(accessLevelOf({ userId: '1', username: 'o', roleIds: null, permissions: 0n }, rules)).toBe(
      'manage',
    );
    expect(accessLevelOf({ userId: '2', username: 'a', roleIds: [], permissions: 1n << 3n }, rules)).toBe(
      'manage',
    );
    expect(accessLevelOf({ userId: '3', username: 'r', roleIds: ['r'], permissions: 0n }, rules)).toBe(
      'read',
    );
    expect(accessLevelOf({ userId: '4', username: 'm', roleIds: [], permissions: 1n << 5n }, rules)).toBe(
      'read',
    );
    expect(accessLevelOf({ userId: '5', username: 'n', roleIds: [], permissions: 0n }, rules)).toBeNull();
    expect(
      accessLevelOf(
        { userId: '2', username: 'a', roleIds: [], permissions: 1n << 3n },
        { ...rules, managers: { users: ['9'] } },
      ),
    ).toBe('read');
  });
});
