/**
 * The live status of `servicedeck up`. On a terminal the frame (catalog, skipped services, running line)
 * is redrawn in place whenever a status changes or a check completes, at most a few times a second, and
 * log lines written to the same terminal scroll above it. Elsewhere (a pipe, a file, a service manager's
 * journal) the catalog is printed once and each status change adds one plain line.
 */
import type { HealthCheckRecord, ServiceRegistryManager, StatusChange } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import {
  eraseFrame,
  fitFrame,
  formatStatusChange,
  frameRows,
  redrawFrame,
  renderUpFrame,
} from '../output/live.js';

/** Options of a {@link LiveView}. */
export interface LiveViewOptions {
  /** The least time between two redraws on a terminal, in milliseconds (default 250: at most 4 a second). */
  readonly throttleMs?: number;
  /** How often the frame is redrawn anyway on a terminal, so ages ("3s ago") keep counting (default 1 000). */
  readonly tickMs?: number;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
}

/** Shows the manager's services and follows their status until stopped. */
export class LiveView {
  private readonly checks = new Map<string, HealthCheckRecord>();
  private readonly tty: boolean;
  private readonly throttleMs: number;
  private readonly tickMs: number;
  private readonly now: () => Date;
  private shown = false;
  private stopped = false;
  private lines: string[] = [];
  private rows = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private drawing: Promise<void> | undefined;

  private readonly onCheck = (record: HealthCheckRecord): void => {
    this.checks.set(record.serviceId, record);
    if (this.tty) this.schedule();
  };

  private readonly onStatusChange = (change: StatusChange): void => {
    if (!this.shown || this.stopped) return;
    if (this.tty) this.schedule();
    else this.context.print(formatStatusChange(change, this.checks.get(change.service)));
  };

  /**
   * Starts collecting check results right away (call it before `manager.start()`, so the first frame
   * knows the checks run while starting); nothing is shown before {@link show}.
   */
  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly context: CommandContext,
    options: LiveViewOptions = {},
  ) {
    this.tty = Boolean(context.io.stdout.isTTY);
    this.throttleMs = options.throttleMs ?? 250;
    this.tickMs = options.tickMs ?? 1_000;
    this.now = options.now ?? (() => new Date());
    manager.events.on('check', this.onCheck);
    manager.events.on('statusChange', this.onStatusChange);
  }

  /** Shows the services (the running manager's), then follows their changes. */
  public async show(): Promise<void> {
    if (this.shown || this.stopped) return;
    this.shown = true;
    if (!this.tty) {
      const services = await this.manager.listServices();
      for (const line of renderUpFrame({
        services,
        problems: this.manager.problems,
        style: this.context.style,
      }))
        this.context.print(line);
      return;
    }
    await this.draw();
    // Log lines written to the same terminal go above the frame, which is drawn again below them.
    if (this.context.io.stderr.isTTY) {
      this.context.logTap.around = (write) => {
        this.context.io.stdout.write(eraseFrame(this.rows));
        write();
        this.context.io.stdout.write(redrawFrame(0, this.lines));
      };
    }
    this.ticker = setInterval(() => this.schedule(), this.tickMs);
    this.ticker.unref();
  }

  /** Prints a line on standard output: above the live frame on a terminal, after the catalog elsewhere. */
  public note(line: string): void {
    if (this.tty && this.shown && !this.stopped) {
      this.context.io.stdout.write(eraseFrame(this.rows));
      this.context.print(line);
      this.context.io.stdout.write(redrawFrame(0, this.lines));
    } else {
      this.context.print(line);
    }
  }

  /** Stops following: removes the listeners and timers, and draws the latest state a last time. */
  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.manager.events.off('check', this.onCheck);
    this.manager.events.off('statusChange', this.onStatusChange);
    const pending = this.timer !== undefined;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = undefined;
    this.ticker = undefined;
    await this.drawing;
    if (pending && this.shown && this.tty) await this.draw();
    this.stopped = true;
    this.context.logTap.around = undefined;
  }

  /** Redraws on the next opportunity the throttle allows; several events in between make one redraw. */
  private schedule(): void {
    if (!this.shown || this.stopped || this.timer) return;
    const wait = Math.max(0, this.lastDraw + this.throttleMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.draw();
    }, wait);
  }

  private async draw(): Promise<void> {
    this.lastDraw = performance.now();
    const drawing = (async () => {
      const services = await this.manager.listServices();
      if (this.stopped) return;
      const { stdout } = this.context.io;
      const { columns, rows } = stdout as { columns?: number; rows?: number };
      const lines = fitFrame(
        renderUpFrame({
          services,
          problems: this.manager.problems,
          style: this.context.style,
          health: { checks: this.checks, now: this.now() },
        }),
        // One row is left for the cursor below the frame.
        rows === undefined ? undefined : rows - 1,
        columns,
      );
      // The clock's tick redraws often; an unchanged frame is not written again.
      if (this.rows > 0 && lines.length === this.lines.length && lines.every((l, i) => l === this.lines[i]))
        return;
      stdout.write(redrawFrame(this.rows, lines));
      this.lines = lines;
      this.rows = frameRows(lines, columns);
    })().catch((error: unknown) => this.context.logger.debug('live status not redrawn', { error }));
    this.drawing = drawing;
    await drawing;
  }
}
