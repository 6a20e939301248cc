/**
 * A progress line on standard error for work that takes a while: a spinner and a label (`⠹ checking…
 * 3/12`), shown only on a terminal and only once the work has lasted a second, redrawn below any log line,
 * and erased when the work ends.
 */
import type { CommandContext } from '../context.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Options of a {@link Progress}. */
export interface ProgressOptions {
  /** How many steps there are, for `done/total` after the label. */
  readonly total?: number;
  /** Milliseconds before the line appears (default 1 000): quick work shows nothing. */
  readonly afterMs?: number;
}

/** One progress line. Call {@link Progress.end} when the work ends, whatever its outcome. */
export class Progress {
  private done = 0;
  private frame = 0;
  private visible = false;
  private readonly timers: NodeJS.Timeout[] = [];

  public constructor(
    private readonly context: CommandContext,
    private label: string,
    private readonly options: ProgressOptions = {},
  ) {
    if (!context.io.stderr.isTTY) return;
    const show = setTimeout(() => {
      this.visible = true;
      // Log lines go above the progress line, which is written again after them.
      context.logTap.around = (write) => {
        this.clear();
        write();
        this.draw();
      };
      this.draw();
      const spin = setInterval(() => {
        this.frame = (this.frame + 1) % FRAMES.length;
        this.draw();
      }, 100);
      spin.unref();
      this.timers.push(spin);
    }, options.afterMs ?? 1_000);
    show.unref();
    this.timers.push(show);
  }

  /** One more step finished. */
  public tick(): void {
    this.done += 1;
    this.draw();
  }

  /** Changes the label (a new phase of the work). */
  public say(label: string): void {
    this.label = label;
    this.draw();
  }

  /** Removes the line and its timers. */
  public end(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.length = 0;
    this.clear();
    this.visible = false;
    this.context.logTap.around = undefined;
  }

  private draw(): void {
    if (!this.visible) return;
    const count = this.options.total === undefined ? '' : ` ${this.done}/${this.options.total}`;
    this.context.io.stderr.write(`\r\u001b[2K${FRAMES[this.frame]} ${this.label}${count}`);
  }

  private clear(): void {
    if (this.visible) this.context.io.stderr.write('\r\u001b[2K');
  }
}

/** Runs `work` under a progress line labelled `label`. */
export async function withProgress<T>(
  context: CommandContext,
  label: string,
  work: (progress: Progress) => Promise<T>,
  options: ProgressOptions = {},
): Promise<T> {
  const progress = new Progress(context, label, options);
  try {
    return await work(progress);
  } finally {
    progress.end();
  }
}
