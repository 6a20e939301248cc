/**
 * An InfluxDB 2 server on 127.0.0.1 for tests: `/ping` (204 with `X-Influxdb-Version`) and
 * `/api/v2/write` with token authentication, organizations, buckets, write permissions and InfluxDB's JSON
 * error bodies; an empty write is accepted with 204, as InfluxDB 2.1 and later do. Written lines are kept.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';

/** What the fake answers. */
export type FakeInfluxMode = 'ok' | 'hang' | 'slow';

/** A running fake InfluxDB. */
export interface FakeInfluxDb extends TestServer {
  readonly token: string;
  /** A token that may read but not write. */
  readonly readOnlyToken: string;
  readonly org: string;
  readonly bucket: string;
  /** Every line-protocol line written, in order. */
  readonly lines: string[];
  mode: FakeInfluxMode;
}

/** Starts a fake InfluxDB with one org and bucket. */
export async function startFakeInfluxDb(token = 'influx-token-1', bucket = 'bot'): Promise<FakeInfluxDb> {
  const lines: string[] = [];
  const org = 'acme';
  const readOnlyToken = 'influx-read-only';
  let fake: FakeInfluxDb | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const mode = fake?.mode ?? 'ok';
    if (mode === 'hang') return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = (): void => {
        if (url.pathname === '/ping') {
          res.writeHead(204, { 'x-influxdb-version': 'v2.7.10', 'x-influxdb-build': 'OSS' }).end();
          return;
        }
        if (url.pathname !== '/api/v2/write' || req.method !== 'POST') {
          sendJson(res, 404, { code: 'not found', message: 'path not found' });
          return;
        }
        const presented = String(req.headers.authorization ?? '').replace(/^Token\s+/i, '');
        if (presented !== token && presented !== readOnlyToken) {
          sendJson(res, 401, { code: 'unauthorized', message: 'unauthorized access' });
          return;
        }
        if (url.searchParams.get('org') !== org) {
          sendJson(res, 404, {
            code: 'not found',
            message: `organization name "${url.searchParams.get('org')}" not found`,
          });
          return;
        }
        if (url.searchParams.get('bucket') !== bucket) {
          sendJson(res, 404, {
            code: 'not found',
            message: `bucket "${url.searchParams.get('bucket')}" not found`,
          });
          return;
        }
        if (presented === readOnlyToken) {
          sendJson(res, 403, {
            code: 'forbidden',
            message: `insufficient permissions for write to bucket ${bucket}`,
          });
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        lines.push(...body.split('\n').filter(Boolean));
        res.writeHead(204).end();
      };
      if (mode === 'slow') setTimeout(answer, 200);
      else answer();
    });
  };
  const server = await startServer(handler);
  fake = Object.assign(server, { token, readOnlyToken, org, bucket, lines, mode: 'ok' as FakeInfluxMode });
  return fake;
}
