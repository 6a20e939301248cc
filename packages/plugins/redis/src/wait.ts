/** Waiting with bounds: for a promise within a time, for a signal, and for a client to be ready. */
import type { Redis } from 'ioredis';

/** Resolves true if `work` settles within `ms`, false otherwise; never rejects, leaves no timer. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Waits for `work`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(signal.reason);
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/**
 * Resolves at the client's next `events` (`connect`, `ready`); rejects with the next connection error it
 * emits, or with the signal's reason when it aborts first. Its listeners are removed either way.
 */
export function nextEvent(
  client: Redis,
  events: readonly ('connect' | 'ready')[],
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown): void => {
      for (const event of events) client.off(event, reached);
      client.off('error', failed);
      signal.removeEventListener('abort', aborted);
      if (error === undefined) resolve();
      else reject(error);
    };
    const reached = (): void => settle();
    const failed = (error: Error): void => settle(error);
    const aborted = (): void => settle(signal.reason);
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    for (const event of events) client.on(event, reached);
    client.on('error', failed);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
