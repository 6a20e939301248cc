/**
 * API tokens for automation. A token is 32 random bytes, shown once when it is created; only its SHA-256
 * is stored (a token has full entropy, so a slow password hash would add nothing). Each has a scope
 * (`read` or `manage`), can be revoked, and records when it was last used.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import { ServiceDeckError } from '../errors.js';
import type { Database } from './database.js';

/** What a token may do: read the catalog, or also manage it. */
export type ApiTokenScope = 'read' | 'manage';

/** A token as listed (never the token itself). */
export interface ApiTokenInfo {
  readonly id: number;
  readonly name: string;
  readonly scope: ApiTokenScope;
  /** The token's first characters, to recognise it. */
  readonly prefix: string;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

/** A token just created: `token` is shown this once. */
export interface CreatedApiToken {
  readonly token: string;
  readonly info: ApiTokenInfo;
}

/** The prefix every servicedeck API token starts with (lets secret scanners recognise one). */
export const API_TOKEN_PREFIX = 'sdk_';
/** The prefix of one-time dashboard login tokens. */
export const LOGIN_TOKEN_PREFIX = 'sdl_';
const TOKEN_PATTERN = /^sdk_[A-Za-z0-9_-]{43}$/;
const LOGIN_PATTERN = /^sdl_[A-Za-z0-9_-]{43}$/;
/** Login tokens are stored with this scope; they never authenticate API requests. */
const LOGIN_SCOPE = 'login';
const SCOPES: readonly ApiTokenScope[] = ['read', 'manage'];

const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Writes and reads `api_token`. */
export class ApiTokenStore {
  /** Last-used times are written at most this often per token (a token may be used many times a second). */
  private readonly touchEveryMs: number;
  private readonly touched = new Map<number, number>();

  public constructor(
    private readonly db: Database,
    options: { touchEveryMs?: number } = {},
  ) {
    this.touchEveryMs = options.touchEveryMs ?? 60_000;
  }

  /**
   * Creates a token.
   *
   * @throws ServiceDeckError `SD_ERR_CONFIG_INVALID` for an empty or too long name or an unknown scope.
   */
  public async create(name: string, scope: ApiTokenScope, createdBy: string): Promise<CreatedApiToken> {
    const trimmed = name.trim();
    const problems: string[] = [];
    if (trimmed === '' || trimmed.length > 100) problems.push('the name must be 1 to 100 characters');
    if (!SCOPES.includes(scope)) problems.push(`the scope must be ${SCOPES.join(' or ')}`);
    if (problems.length > 0) {
      throw new ServiceDeckError(
        'SD_ERR_CONFIG_INVALID',
        `Cannot create the API token: ${problems.join('; ')}.`,
        {
          details: { name, scope },
          hint: 'Name it after what uses it (for example "grafana") and pick read or manage.',
        },
      );
    }
    const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.db.repos.apiTokens.create({
      name: trimmed,
      scope,
      tokenHash: hash(token),
      prefix: token.slice(0, 10),
      createdBy,
    });
    return { token, info: this.info(row) };
  }

  /**
   * A one-time login token for the dashboard: it opens one session, within `ttlMs`, and is then spent.
   * Stored hashed like API tokens, so any process (the CLI) can create one that the dashboard redeems.
   */
  public async createLogin(createdBy: string): Promise<string> {
    const token = `${LOGIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    await this.db.repos.apiTokens.create({
      name: 'dashboard login',
      scope: LOGIN_SCOPE,
      tokenHash: hash(token),
      prefix: token.slice(0, 10),
      createdBy,
    });
    return token;
  }

  /** Spends a login token: who created it when it was valid (unused, younger than `ttlMs`), else undefined. */
  public async redeemLogin(token: string, ttlMs: number): Promise<{ createdBy: string } | undefined> {
    if (!LOGIN_PATTERN.test(token)) return undefined;
    return this.db.transaction(async (transaction) => {
      const row = await this.db.repos.apiTokens.findOne({
        where: { tokenHash: hash(token), scope: LOGIN_SCOPE, revokedAt: { [Op.is]: null } },
        transaction,
      });
      if (!row) return undefined;
      // Spent whether or not it was still valid; the update fails to match when another request won.
      const [spent] = await this.db.repos.apiTokens.update(
        { revokedAt: new Date(), lastUsedAt: new Date() },
        { where: { id: row.id, revokedAt: { [Op.is]: null } }, transaction },
      );
      if (spent !== 1 || Date.now() - new Date(row.createdAt).getTime() > ttlMs) return undefined;
      return { createdBy: row.createdBy };
    });
  }

  /** Every API token, newest first, revoked ones included (login tokens are not listed). */
  public async list(): Promise<ApiTokenInfo[]> {
    const rows = await this.db.repos.apiTokens.findAll({
      where: { scope: { [Op.ne]: LOGIN_SCOPE } },
      order: [['id', 'DESC']],
    });
    return rows.map((row) => this.info(row));
  }

  /** Revokes a token; returns it, or undefined when there is no such token. Revoking twice is harmless. */
  public async revoke(id: number): Promise<ApiTokenInfo | undefined> {
    const row = await this.db.repos.apiTokens.findByPk(id);
    if (!row || row.scope === LOGIN_SCOPE) return undefined;
    if (!row.revokedAt) {
      row.revokedAt = new Date();
      await row.save();
    }
    return this.info(row);
  }

  /** The token's record when it is valid and not revoked; records its use. */
  public async authenticate(token: string): Promise<ApiTokenInfo | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const digest = hash(token);
    const row = await this.db.repos.apiTokens.findOne({
      where: { tokenHash: digest, revokedAt: { [Op.is]: null }, scope: { [Op.ne]: LOGIN_SCOPE } },
    });
    // The lookup is by the token's hash, never by the token: its timing says nothing about the token.
    if (!row) return undefined;
    const now = Date.now();
    if (now - (this.touched.get(row.id) ?? 0) >= this.touchEveryMs) {
      this.touched.set(row.id, now);
      row.lastUsedAt = new Date(now);
      await this.db.repos.apiTokens.update({ lastUsedAt: row.lastUsedAt }, { where: { id: row.id } });
    }
    return this.info(row);
  }

  private info(row: {
    id: number;
    name: string;
    scope: string;
    prefix: string;
    createdBy: string;
    createdAt: Date;
    lastUsedAt: Date | null;
    revokedAt: Date | null;
  }): ApiTokenInfo {
    return {
      id: row.id,
      name: row.name,
      scope: row.scope as ApiTokenScope,
      prefix: row.prefix,
      createdBy: row.createdBy,
      createdAt: new Date(row.createdAt),
      lastUsedAt: row.lastUsedAt ? new Date(row.lastUsedAt) : null,
      revokedAt: row.revokedAt ? new Date(row.revokedAt) : null,
    };
  }
}
