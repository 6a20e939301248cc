/**
 * API tokens for automation. A token is 32 random bytes, shown once when it is created; only its SHA-256
 * is stored (a token has full entropy, so a slow password hash would add nothing). Each has a scope
 * (`read` or `manage`), can be revoked, and records when it was last used.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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
const TOKEN_PATTERN = /^sdk_[A-Za-z0-9_-]{43}$/;
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

  /** Every token, newest first, revoked ones included. */
  public async list(): Promise<ApiTokenInfo[]> {
    const rows = await this.db.repos.apiTokens.findAll({ order: [['id', 'DESC']] });
    return rows.map((row) => this.info(row));
  }

  /** Revokes a token; returns it, or undefined when there is no such token. Revoking twice is harmless. */
  public async revoke(id: number): Promise<ApiTokenInfo | undefined> {
    const row = await this.db.repos.apiTokens.findByPk(id);
    if (!row) return undefined;
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
      where: { tokenHash: digest, revokedAt: { [Op.is]: null } },
    });
    // The lookup is by hash; comparing again in constant time costs nothing and keeps timing flat.
    if (!row || !timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(digest, 'hex'))) {
      return undefined;
    }
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
