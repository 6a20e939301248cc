/**
 * When each service is next due: a binary min-heap of due times driven by a single timer, so scheduling
 * thousands of services costs one timer and O(log n) per check.
 */

interface Entry {
  readonly id: string;
  due: number;
  index: number;
}

/** A min-heap of ids by due time with one timer that fires for everything due. */
export class DueSchedule {
  private readonly heap: Entry[] = [];
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private stopped = true;

  /**
   * @param onDue - called with every id whose time has come (each id is then unscheduled until
   *   scheduled again).
   * @param now - the clock, in milliseconds.
   * @param batchWindowMs - ids due this soon after a firing are handed over with it (default 10).
   */
  public constructor(
    private readonly onDue: (ids: string[]) => void,
    private readonly now: () => number = () => performance.now(),
    private readonly batchWindowMs = 10,
  ) {}

  /** How many ids are scheduled. */
  public get size(): number {
    return this.entries.size;
  }

  /** Starts firing. */
  public start(): void {
    this.stopped = false;
    this.arm();
  }

  /** Stops firing; scheduled ids are kept. */
  public stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
  }

  /** Schedules (or reschedules) `id` at `due`. */
  public schedule(id: string, due: number): void {
    const existing = this.entries.get(id);
    if (existing) {
      const earlier = due < existing.due;
      existing.due = due;
      if (earlier) this.up(existing.index);
      else this.down(existing.index);
    } else {
      const entry: Entry = { id, due, index: this.heap.length };
      this.heap.push(entry);
      this.entries.set(id, entry);
      this.up(entry.index);
    }
    if (due < this.timerDue) this.arm();
  }

  /** Unschedules `id`. */
  public remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    const last = this.heap.pop() as Entry;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.up(last.index);
      this.down(last.index);
    }
  }

  /** The due time of `id`, if scheduled. */
  public dueOf(id: string): number | undefined {
    return this.entries.get(id)?.due;
  }

  private arm(): void {
    if (this.stopped) return;
    const first = this.heap[0];
    if (!first) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = Number.POSITIVE_INFINITY;
      return;
    }
    if (this.timer && this.timerDue <= first.due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = first.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, first.due - this.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = this.now();
    const due: string[] = [];
    // Take everything due within the batch window: one timer wake-up then serves many checks, instead of
    // one wake-up per check (a check runs at most that much early).
    while (this.heap.length > 0 && (this.heap[0] as Entry).due <= now + this.batchWindowMs) {
      const entry = this.heap[0] as Entry;
      this.remove(entry.id);
      due.push(entry.id);
    }
    this.arm();
    if (due.length > 0) this.onDue(due);
  }

  private less(a: number, b: number): boolean {
    return (this.heap[a] as Entry).due < (this.heap[b] as Entry).due;
  }

  private swap(a: number, b: number): void {
    const ea = this.heap[a] as Entry;
    const eb = this.heap[b] as Entry;
    this.heap[a] = eb;
    this.heap[b] = ea;
    ea.index = b;
    eb.index = a;
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && this.less(left, smallest)) smallest = left;
      if (right < this.heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
  }
}
