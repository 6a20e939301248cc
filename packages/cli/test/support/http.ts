/**
 * A real HTTP endpoint on 127.0.0.1 for the probe fixture service to check: it answers with the status
 * and body the test sets.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The endpoint and how to change its answer. */
export interface Endpoint {
  readonly url: string;
  /** How many requests it answered. */
  readonly hits: () => number;
  /** What it answers from now on. */
  answer(status: number, body: string): void;
  /** Holds every answer until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

/** Starts an endpoint answering `status` with `body`. */
export async function startEndpoint(status = 200, body = 'OK'): Promise<Endpoint> {
  let current = { status, body };
  let hits = 0;
  let held: Promise<void> = Promise.resolve();
  const server = createServer((_req, res) => {
    hits += 1;
    const { status: answerStatus, body: answerBody } = current;
    void held.then(() => res.writeHead(answerStatus, { 'content-type': 'text/plain' }).end(answerBody));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    hits: () => hits,
    answer: (nextStatus, nextBody) => {
      current = { status: nextStatus, body: nextBody };
    },
    hold: () => {
      let release: () => void = () => undefined;
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return release;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
