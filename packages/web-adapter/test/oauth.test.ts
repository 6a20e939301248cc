import { describe, expect, it } from 'vitest';
import { accessLevelOf } from '../src/index.js';
import { type FakeUser, GUILD, MANAGE_GUILD, startWithDiscordLogin } from './support/discord-oauth.js';
import { startWeb } from './support/web.js';

async function setUp(recheckMs = 60_000) {
  const { w, discord, base } = await startWithDiscordLogin({ recheckMs });
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
