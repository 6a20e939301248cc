/**
 * Discord's OAuth2 endpoints and the user endpoints the dashboard reads, as a real HTTP server on
 * 127.0.0.1: the authorization step approves at once as the user the test chose, and PKCE, the client's
 * credentials and the redirect URI are checked as Discord does.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect } from 'vitest';
import { startWeb, type Web } from './web.js';

export const GUILD = '200000000000000002';
export const MANAGERS = '500000000000000007';
export const MANAGE_GUILD = String(1n << 5n);

export interface FakeUser {
  id: string;
  username: string;
  inGuild: boolean;
  roles: string[];
  permissions: string;
}

/** Discord's OAuth2 and the user endpoints the dashboard reads, on 127.0.0.1, with PKCE checked. */
export class StandInDiscord {
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

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const standIns: StandInDiscord[] = [];
afterEach(async () => {
  for (const standIn of standIns.splice(0)) await standIn.stop();
});

/**
 * The dashboard listening on a free port with Discord login through a stand-in Discord (stopped after the
 * test), which knows alice (on the managers role), bob (Manage Server only) and eve (not in the guild).
 */
export async function startWithDiscordLogin(
  options: { readonly recheckMs?: number; readonly sync?: boolean } = {},
): Promise<{ w: Web; discord: StandInDiscord; base: string }> {
  const discord = new StandInDiscord();
  standIns.push(discord);
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
  const w = await startWeb(
    'sqlite',
    {
      port,
      publicUrl: base,
      oauth: {
        clientId: 'client',
        clientSecret: 'secret',
        guildId: GUILD,
        managers: { roles: [MANAGERS] },
        ...(options.recheckMs === undefined ? {} : { recheckMs: options.recheckMs }),
        apiBase: discord.url,
        authorizeUrl: `${discord.url}/oauth2/authorize`,
      },
    },
    undefined,
    { sync: options.sync ?? false },
  );
  await w.web.listen();
  return { w, discord, base };
}
