/**
 * Real HTTP servers on 127.0.0.1 standing in for the services a bot checks: healthy, failing, slow,
 * hanging and flapping endpoints, with counters of requests and of requests in flight.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test server and what it observed. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Requests received, by path. */
  readonly hits: Map<string, number>;
  /** Requests being answered right now, and the most at once. */
  readonly inFlight: { now: number; peak: number };
  /** Sets the status the `/flap` endpoint answers with. */
  setFlap(status: number): void;
  close(): Promise<void>;
}

/**
 * Starts a server with these endpoints: `/ok` (200), `/fail` (503), `/slow?ms=N` (200 after N ms),
 * `/hang` (never answers), `/flap` (the status set by `setFlap`, 200 at first).
 */
export async function startTestServer(): Promise<TestServer> {
  const hits = new Map<string, number>();
  const inFlight = { now: 0, peak: 0 };
  let flap = 200;
  const hanging = new Set<ServerResponse>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    inFlight.now += 1;
    inFlight.peak = Math.max(inFlight.peak, inFlight.now);
    const finish = (status: number): void => {
      inFlight.now -= 1;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    };
    switch (url.pathname) {
      case '/ok':
        finish(200);
        break;
      case '/fail':
        finish(503);
        break;
      case '/flap':
        finish(flap);
        break;
      case '/slow': {
        const timer = setTimeout(() => finish(200), Number(url.searchParams.get('ms') ?? 100));
        res.on('close', () => clearTimeout(timer));
        break;
      }
      case '/hang':
        hanging.add(res);
        res.on('close', () => {
          hanging.delete(res);
          inFlight.now -= 1;
        });
        break;
      default:
        finish(404);
    }
  };
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    inFlight,
    setFlap: (status) => {
      flap = status;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A health check that GETs `url` and is healthy on a 2xx answer, aborting on `signal`. */
export function httpCheck(url: string) {
  return async (signal?: AbortSignal) => {
    const response = await fetch(url, { signal: signal ?? null });
    await response.arrayBuffer();
    return response.ok
      ? { status: 'active' as const, message: `${response.status} OK` }
      : { status: 'error' as const, message: `answered ${response.status}` };
  };
}
