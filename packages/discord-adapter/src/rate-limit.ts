/**
 * Per-user rate limits: at most `limit` uses in any `windowMs`, per user and kind of action (a sliding
 * window of timestamps). Memory stays bounded: a user's old timestamps are dropped when they act, and users
 * idle for a whole window are forgotten as the map grows.
 */

/** One rate limit. */
export interface RateLimit {
  /** Uses allowed in a window. */
  readonly limit: number;
  /** The window, in milliseconds. */
  readonly windowMs: number;
}

/** The outcome of asking to act. */
export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number };

/** Sliding-window rate limits per user and bucket. */
export class RateLimiter<Bucket extends string> {
  private readonly uses = new Map<string, number[]>();

  public constructor(
    private readonly limits: Readonly<Record<Bucket, RateLimit>>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one use by `userId` in `bucket` if the limit allows it. */
  public take(bucket: Bucket, userId: string): RateDecision {
    const { limit, windowMs } = this.limits[bucket];
    if (limit <= 0) return { allowed: true };
    const now = this.now();
    const key = `${bucket}:${userId}`;
    const recent = (this.uses.get(key) ?? []).filter((at) => at > now - windowMs);
    if (recent.length >= limit) {
      this.uses.set(key, recent);
      return { allowed: false, retryAfterMs: (recent[0] as number) + windowMs - now };
    }
    recent.push(now);
    this.uses.set(key, recent);
    if (this.uses.size > 10_000) this.forgetIdle(now);
    return { allowed: true };
  }

  private forgetIdle(now: number): void {
    const longest = Math.max(...Object.values<RateLimit>(this.limits).map((l) => l.windowMs));
    for (const [key, times] of this.uses) {
      if ((times[times.length - 1] ?? 0) <= now - longest) this.uses.delete(key);
    }
  }
}
