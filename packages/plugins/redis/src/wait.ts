/** Waiting for a Redis client to be ready, with a bound. */
import type { Redis } from 'ioredis';

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
