/**
 * Waiting with bounds, for `closeClient` and health checks: for a promise within a time, and for a
 * promise until a signal aborts.
 */

/**
 * Resolves true if `work` settles (fulfilled or rejected) within `ms`, false otherwise. Never rejects and
 * leaves no timer behind: for closing a client that may hang.
 */
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

/**
 * Waits for `work`, or rejects with the signal's reason as soon as it aborts (the work goes on: stop it
 * yourself if it holds something). The listener is removed either way.
 */
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
