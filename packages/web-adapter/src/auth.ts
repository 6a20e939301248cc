/**
 * Who is asking. Browsers hold a session (an http-only cookie) opened with a one-time login token (printed
 * at start, or made by `servicedeck web login`); automation sends an API token (`Authorization: Bearer sdk_…`) whose scope is read or manage.
 * Browser requests that change something also carry the session's CSRF token in `x-csrf-token`.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { DiscordGrant } from './oauth.js';

/** What an identity may do. */
export type AccessLevel = 'read' | 'manage';

/** An authenticated caller. */
export interface Identity {
  /** Who, for the audit log: the session's user, or `token:<name>`. */
  readonly actor: string;
  readonly level: AccessLevel;
  readonly via: 'session' | 'token';
  /** The session's CSRF token (sessions only). */
  readonly csrfToken?: string;
  /** The session's id (sessions only). */
  readonly sessionId?: string;
  /** The API token's id (tokens only). */
  readonly tokenId?: number;
}

/** A browser session. */
export interface Session {
  readonly id: string;
  readonly actor: string;
  /** What the session may do (lowered or ended when a Discord user's access changes). */
  level: AccessLevel;
  readonly csrfToken: string;
  readonly createdAt: number;
  expiresAt: number;
  /** For a Discord login: the grant to check the user's access again with, and when it was last checked. */
  discord?: { readonly grant: DiscordGrant; checkedAt: number };
}

const random = (): string => randomBytes(32).toString('base64url');

/** Equal strings, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Sessions in memory: they end at expiry, at logout, when revoked, and when the process stops. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  public constructor(private readonly ttlMs: number) {}

  /** Opens a session. */
  public open(actor: string, level: AccessLevel, now = Date.now(), grant?: DiscordGrant): Session {
    this.sweep(now);
    const session: Session = {
      id: random(),
      actor,
      level,
      csrfToken: random(),
      createdAt: now,
      expiresAt: now + this.ttlMs,
      ...(grant ? { discord: { grant, checkedAt: now } } : {}),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id (its expiry slides forward), or undefined. */
  public get(id: string, now = Date.now()): Session | undefined {
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= now) {
      this.sessions.delete(id);
      return undefined;
    }
    session.expiresAt = now + this.ttlMs;
    return session;
  }

  /** Ends one session. */
  public close(id: string): void {
    this.sessions.delete(id);
  }

  /** Ends every session of `actor` (their access was removed); returns how many. */
  public closeAllOf(actor: string): number {
    let closed = 0;
    for (const [id, session] of this.sessions) {
      if (session.actor === actor) {
        this.sessions.delete(id);
        closed += 1;
      }
    }
    return closed;
  }

  /** How many sessions are open. */
  public get size(): number {
    return this.sessions.size;
  }

  private sweep(now: number): void {
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

/**
 * A sliding-window limit of `limit` requests per `windowMs` per key, in constant time and memory per key:
 * the count of the current fixed window plus the previous window's, weighted by how much of it still
 * overlaps the sliding window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number; previous: number }>();

  public constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a request; returns the milliseconds to wait when over the limit, else 0. */
  public take(key: string, now = Date.now()): number {
    const start = now - (now % this.windowMs);
    let window = this.windows.get(key);
    if (!window || window.start < start - this.windowMs) {
      window = { start, count: 0, previous: 0 };
      this.windows.set(key, window);
    } else if (window.start < start) {
      window.previous = window.count;
      window.count = 0;
      window.start = start;
    }
    const overlap = 1 - (now - start) / this.windowMs;
    const estimate = window.previous * overlap + window.count;
    if (estimate >= this.limit) {
      // Enough of the previous window must slide out for one more request to fit.
      const excess = estimate - this.limit + 1;
      const waitMs =
        window.previous > 0 && excess <= window.previous * overlap
          ? Math.ceil((excess / window.previous) * this.windowMs)
          : start + this.windowMs - now;
      return Math.max(1, waitMs);
    }
    window.count += 1;
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (w.start < start - this.windowMs) this.windows.delete(k);
    }
    return 0;
  }
}
