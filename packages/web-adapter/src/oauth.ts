/**
 * Discord login for the dashboard: OAuth2 authorization code with `state` and PKCE (S256). Who may read
 * and who may manage follows the Discord adapter's rules: owners may do everything; managers are the
 * users and roles of the managers allowlist (without one, members with Administrator); readers are
 * members with Manage Server and the readers allowlist. Access is checked again while a session lives,
 * so a member who loses it is logged out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AccessLevel } from './auth.js';

/** User and role ids. */
export interface OAuthAllowlist {
  readonly users?: readonly string[];
  readonly roles?: readonly string[];
}

/** Discord login settings. */
export interface DiscordOAuthOptions {
  /** The application's client id and secret (Developer Portal › OAuth2). */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The guild whose members may log in. */
  readonly guildId: string;
  /** Users who may always manage. */
  readonly owners?: readonly string[];
  /** May manage; without users or roles, members with Administrator may. */
  readonly managers?: OAuthAllowlist;
  /** May read, besides members with Manage Server. */
  readonly readers?: OAuthAllowlist;
  /** Milliseconds between checks of a session's access (default 5 minutes). */
  readonly recheckMs?: number;
  /** Discord's API (default https://discord.com/api/v10; tests point it at a stand-in). */
  readonly apiBase?: string;
  /** Discord's authorization page (default https://discord.com/oauth2/authorize). */
  readonly authorizeUrl?: string;
}

/** The scopes asked for: who the user is, their guilds with permissions, and their roles in the guild. */
export const OAUTH_SCOPES = ['identify', 'guilds', 'guilds.members.read'] as const;

const ADMINISTRATOR = 1n << 3n;
const MANAGE_GUILD = 1n << 5n;

/** A Discord user's standing in the guild. */
export interface Membership {
  readonly userId: string;
  readonly username: string;
  /** Null when the user is not a member of the guild. */
  readonly roleIds: readonly string[] | null;
  readonly permissions: bigint;
}

/** The level a member has, or null when they may not use the dashboard at all. */
export function accessLevelOf(member: Membership, options: DiscordOAuthOptions): AccessLevel | null {
  if ((options.owners ?? []).includes(member.userId)) return 'manage';
  if (member.roleIds === null) return null;
  const roles = member.roleIds;
  const listed = (list: OAuthAllowlist | undefined): boolean =>
    (list?.users ?? []).includes(member.userId) || (list?.roles ?? []).some((role) => roles.includes(role));
  const has = (flag: bigint): boolean => (member.permissions & flag) === flag;
  const managersConfigured =
    (options.managers?.users?.length ?? 0) + (options.managers?.roles?.length ?? 0) > 0;
  if (managersConfigured ? listed(options.managers) : has(ADMINISTRATOR)) return 'manage';
  if (has(MANAGE_GUILD) || has(ADMINISTRATOR) || listed(options.readers)) return 'read';
  return null;
}

/** Tokens of a logged-in user, kept server-side to check their access again. */
export interface DiscordGrant {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: number;
}

/** An OAuth2 exchange that is under way: the PKCE verifier for a `state`. */
interface Pending {
  readonly verifier: string;
  readonly createdAt: number;
}

const base64url = (buffer: Buffer): string => buffer.toString('base64url');

/** Discord's OAuth2 endpoints as the dashboard uses them. */
export class DiscordOAuth {
  private readonly pending = new Map<string, Pending>();
  private readonly api: string;

  public constructor(
    public readonly options: DiscordOAuthOptions,
    private readonly redirectUri: string,
  ) {
    this.api = (options.apiBase ?? 'https://discord.com/api/v10').replace(/\/$/, '');
  }

  /** Starts a login: the URL to send the browser to, and the state to bind to it (in a cookie). */
  public begin(now = Date.now()): { url: string; state: string } {
    for (const [state, pending] of this.pending)
      if (now - pending.createdAt > 10 * 60_000) this.pending.delete(state);
    const state = base64url(randomBytes(24));
    const verifier = base64url(randomBytes(48));
    this.pending.set(state, { verifier, createdAt: now });
    const challenge = base64url(createHash('sha256').update(verifier).digest());
    const url = new URL(this.options.authorizeUrl ?? 'https://discord.com/oauth2/authorize');
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.options.clientId,
      scope: OAUTH_SCOPES.join(' '),
      redirect_uri: this.redirectUri,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      prompt: 'none',
    }).toString();
    return { url: url.toString(), state };
  }

  /** The verifier of a state, spent; undefined when unknown, expired or already used. */
  public takeVerifier(state: string, now = Date.now()): string | undefined {
    const pending = this.pending.get(state);
    this.pending.delete(state);
    if (!pending || now - pending.createdAt > 10 * 60_000) return undefined;
    return pending.verifier;
  }

  /** Exchanges the authorization code for tokens. */
  public async exchange(code: string, verifier: string): Promise<DiscordGrant> {
    return this.token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.redirectUri,
      code_verifier: verifier,
    });
  }

  /** Refreshes a grant whose access token expired. */
  public async refresh(grant: DiscordGrant): Promise<DiscordGrant> {
    if (!grant.refreshToken) throw new Error('the grant cannot be refreshed');
    return this.token({ grant_type: 'refresh_token', refresh_token: grant.refreshToken });
  }

  private async token(form: Record<string, string>): Promise<DiscordGrant> {
    const response = await fetch(`${this.api}/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`Discord refused the token request (${response.status})`);
    const body = (await response.json()) as {
      access_token: string;
      refresh_token?: string;
      expires_in: number;
    };
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? null,
      expiresAt: Date.now() + body.expires_in * 1000,
    };
  }

  /** Who the grant's user is and what they are in the guild (refreshing the grant when needed). */
  public async membership(grant: DiscordGrant): Promise<Membership> {
    if (grant.expiresAt <= Date.now() + 30_000 && grant.refreshToken)
      Object.assign(grant, await this.refresh(grant));
    const get = async <T>(path: string, allowNotFound = false): Promise<T | undefined> => {
      const response = await fetch(`${this.api}${path}`, {
        headers: { authorization: `Bearer ${grant.accessToken}` },
        signal: AbortSignal.timeout(10_000),
      });
      if (allowNotFound && response.status === 404) return undefined;
      if (!response.ok) throw new Error(`Discord answered ${response.status} to ${path}`);
      return (await response.json()) as T;
    };
    const user = (await get<{ id: string; username: string }>('/users/@me')) as {
      id: string;
      username: string;
    };
    const guilds = (await get<{ id: string; permissions: string }[]>('/users/@me/guilds')) ?? [];
    const guild = guilds.find((g) => g.id === this.options.guildId);
    if (!guild) return { userId: user.id, username: user.username, roleIds: null, permissions: 0n };
    const member = await get<{ roles: string[] }>(`/users/@me/guilds/${this.options.guildId}/member`, true);
    return {
      userId: user.id,
      username: user.username,
      roleIds: member?.roles ?? null,
      permissions: BigInt(guild.permissions),
    };
  }
}
