/**
 * A Sentry ingest endpoint on 127.0.0.1 for tests: `POST /api/<project>/envelope/` checks the public key
 * (the `sentry_key` query parameter or the `X-Sentry-Auth` header), parses the envelope — a header line,
 * then an item header and payload per item — and records every item; `/_health/` answers `ok`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';

/** One item of a received envelope. */
export interface EnvelopeItem {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

/** What the fake answers. */
export type FakeSentryMode = 'ok' | 'rate-limited' | 'hang' | 'slow' | 'unhealthy';

/** A running fake Sentry. */
export interface FakeSentry extends TestServer {
  /** A DSN of this server with the accepted key. */
  readonly dsn: string;
  readonly publicKey: string;
  readonly projectId: string;
  /** Every item received, in order. */
  readonly items: EnvelopeItem[];
  mode: FakeSentryMode;
}

/** The key a request presents. */
function presentedKey(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('sentry_key');
  if (fromQuery) return fromQuery;
  return /sentry_key=([^,\s]+)/.exec(String(req.headers['x-sentry-auth'] ?? ''))?.[1];
}

/** Starts a fake Sentry for project `projectId` with the public key `publicKey`. */
export async function startFakeSentry(publicKey = 'abc123public', projectId = '42'): Promise<FakeSentry> {
  const items: EnvelopeItem[] = [];
  let fake: FakeSentry | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const mode = fake?.mode ?? 'ok';
    if (mode === 'hang') return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (): void => {
        if (url.pathname === '/_health/') {
          res.writeHead(mode === 'unhealthy' ? 503 : 200, { 'content-type': 'text/plain' });
          res.end(mode === 'unhealthy' ? 'service unavailable' : 'ok');
          return;
        }
        if (url.pathname !== `/api/${projectId}/envelope/`) {
          sendJson(res, 404, { detail: 'not found' });
          return;
        }
        if (presentedKey(req, url) !== publicKey) {
          sendJson(res, 401, { detail: 'event submission rejected with_reason: ProjectId' });
          return;
        }
        if (mode === 'rate-limited') {
          sendJson(
            res,
            429,
            { detail: 'event submission rejected with_reason: RateLimited' },
            {
              'retry-after': '30',
              'x-sentry-rate-limits': '30::organization',
            },
          );
          return;
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const lines = body.toString('utf8').split('\n').filter(Boolean);
        for (let index = 1; index + 1 < lines.length; index += 2) {
          const header = JSON.parse(lines[index] as string) as { type: string };
          items.push({ type: header.type, payload: JSON.parse(lines[index + 1] as string) });
        }
        sendJson(res, 200, {});
      };
      if (mode === 'slow') setTimeout(answer, 200);
      else answer();
    });
  };
  const server = await startServer(handler);
  fake = Object.assign(server, {
    dsn: `http://${publicKey}@127.0.0.1:${server.port}/${projectId}`,
    publicKey,
    projectId,
    items,
    mode: 'ok' as FakeSentryMode,
  });
  return fake;
}
