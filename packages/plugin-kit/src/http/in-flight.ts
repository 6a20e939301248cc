/**
 * In-flight requests: each runs under its own AbortController and timeout timer, and all of them can be
 * aborted at once, so a disabled service leaves no timer or socket behind.
 */
import { HttpEndpointError } from './errors.js';

interface Entry {
  readonly controller: AbortController;
  readonly timer: NodeJS.Timeout;
  readonly settled: Promise<void>;
}

/** Runs requests with a timeout and aborts them together. */
export class InFlightRequests {
  private readonly entries = new Set<Entry>();

  /** How many requests are running. */
  public get size(): number {
    return this.entries.size;
  }

  /**
   * Runs `work` with a signal that aborts after `timeoutMs`, when `callerSignal` aborts, or on
   * {@link InFlightRequests.abortAll}. A request that was aborted rejects with the abort's reason.
   *
   * @param timeoutMs - milliseconds before the request is aborted with a `timeout` error.
   * @param work - the request; it must stop and release its socket when the signal aborts.
   * @param callerSignal - an optional signal of the caller that also aborts the request.
   */
  public async run<T>(
    timeoutMs: number,
    work: (signal: AbortSignal) => Promise<T>,
    callerSignal?: AbortSignal,
  ): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new HttpEndpointError('timeout', `no response within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onCallerAbort = (): void => {
      controller.abort(
        new HttpEndpointError('aborted', 'request aborted by the caller', { cause: callerSignal?.reason }),
      );
    };
    let release: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const entry: Entry = { controller, timer, settled };
    this.entries.add(entry);
    try {
      if (callerSignal?.aborted) onCallerAbort();
      else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      return await work(controller.signal);
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      this.entries.delete(entry);
      release();
    }
  }

  /**
   * Aborts every running request with `reason` and resolves once all of them have settled and released
   * their sockets and timers.
   */
  public async abortAll(reason: Error): Promise<void> {
    const entries = [...this.entries];
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.controller.abort(reason);
    }
    await Promise.all(entries.map((entry) => entry.settled));
  }
}
