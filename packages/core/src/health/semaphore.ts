/**
 * A counting semaphore: at most `limit` holders at once, waiters served first come, first served.
 * It also records the peak number of holders, so the bound can be observed.
 */
export class Semaphore {
  private active = 0;
  private peakActive = 0;
  private readonly waiters: (() => void)[] = [];
  private waitHead = 0;

  /** @param limit - the most holders at once (at least 1). */
  public constructor(public readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  }

  /** Holders now. */
  public get inUse(): number {
    return this.active;
  }

  /** The most holders there ever were at once. */
  public get peak(): number {
    return this.peakActive;
  }

  /** Waiters now. */
  public get waiting(): number {
    return this.waiters.length - this.waitHead;
  }

  /** Resolves when a slot is free; the caller must call `release()` once. */
  public acquire(): Promise<void> | undefined {
    if (this.active < this.limit) {
      this.take();
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(() => {
        this.take();
        resolve();
      });
    });
  }

  private take(): void {
    this.active += 1;
    if (this.active > this.peakActive) this.peakActive = this.active;
  }

  /** Frees a slot, handing it to the longest waiter. */
  public release(): void {
    this.active -= 1;
    if (this.waitHead < this.waiters.length) {
      const next = this.waiters[this.waitHead] as () => void;
      this.waitHead += 1;
      if (this.waitHead > 1024 && this.waitHead * 2 > this.waiters.length) {
        this.waiters.splice(0, this.waitHead);
        this.waitHead = 0;
      }
      next();
    }
  }

  /** Runs `work` holding a slot. */
  public async run<T>(work: () => Promise<T>): Promise<T> {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}
