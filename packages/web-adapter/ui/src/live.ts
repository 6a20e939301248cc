/** The live stream: EventSource on /api/events into the store; reconnects (resuming with the last id). */
import type { Store } from './store.js';
import type { LiveEvent } from './types.js';

const TYPES = ['status', 'check', 'change', 'audit', 'reset'] as const;

export interface LiveConnection {
  close(): void;
}

export function connectLive(store: Store, onClosed: () => void): LiveConnection {
  let source: EventSource | null = null;
  let lastId = '';
  let retryTimer: number | undefined;
  let retries = 0;
  let closed = false;

  const open = (): void => {
    if (closed) return;
    store.setConnection(lastId ? 'reconnecting' : 'connecting');
    // A new EventSource forgets the last id: send it along so nothing is missed.
    source = new EventSource(
      lastId ? `/api/events?lastEventId=${encodeURIComponent(lastId)}` : '/api/events',
    );
    source.onopen = () => {
      retries = 0;
      store.setConnection('live');
    };
    source.onerror = () => {
      if (!source || closed) return;
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the server answered 401 or was down): try again later ourselves.
        source = null;
        store.setConnection('offline');
        retries += 1;
        window.clearTimeout(retryTimer);
        retryTimer = window.setTimeout(
          () => {
            onClosed();
            open();
          },
          Math.min(30_000, 1000 * 2 ** Math.min(retries, 5)),
        );
      } else {
        store.setConnection('reconnecting');
      }
    };
    for (const type of TYPES) {
      source.addEventListener(type, (event) => {
        const message = event as MessageEvent<string>;
        if (message.lastEventId) lastId = message.lastEventId;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          return;
        }
        store.apply({ type, data } as LiveEvent);
      });
    }
  };
  open();

  return {
    close: () => {
      closed = true;
      window.clearTimeout(retryTimer);
      source?.close();
      source = null;
      store.setConnection('offline');
    },
  };
}
