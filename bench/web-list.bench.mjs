// @ts-check
/**
 * The dashboard's list endpoint under load: `GET /api/services` of a 1,000-service catalog with a read
 * token, from 50 connections for a few seconds (autocannon), the server in its own process. Rows: the
 * cached list (the same query again: served from the serialized copy until something changes), gzipped as
 * browsers ask for it and plain, a
 * revalidation answered 304 (If-None-Match), and one service's detail (not cached: several reads).
 *
 *   node web-list.bench.mjs
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { report } from './lib/report.mjs';

const SERVICES = 1000;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 50;

const child = fork(fileURLToPath(new URL('./lib/web-server-child.mjs', import.meta.url)), [], {
  env: { ...process.env, SERVICES: String(SERVICES) },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
/** @type {{ url: string, token: string }} */
const server = await new Promise((resolve, reject) => {
  child.once('message', (message) => resolve(/** @type {{ url: string, token: string }} */ (message)));
  child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
});
const authorization = `Bearer ${server.token}`;
const first = await fetch(`${server.url}/api/services`, { headers: { authorization } });
const etag = first.headers.get('etag') ?? '';
const bytes = (await first.arrayBuffer()).byteLength;

/**
 * @param {string} path
 * @param {Record<string, string>} headers
 */
async function load(path, headers) {
  // A short warm-up first, so the JIT and caches are settled.
  await autocannon({ url: `${server.url}${path}`, connections: CONNECTIONS, duration: 1, headers });
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx - (headers['if-none-match'] ? (result['3xx'] ?? 0) : 0),
  };
}

const gzip = { authorization, 'accept-encoding': 'gzip' };
const zipped = await fetch(`${server.url}/api/services`, { headers: gzip });
const gzipBytes = Number(zipped.headers.get('content-length') ?? 0);
await zipped.arrayBuffer();
const rows = [
  {
    case: `list, cached, gzip (${Math.round(gzipBytes / 1024)} KiB)`,
    ...(await load('/api/services', gzip)),
  },
  {
    case: `list, cached, plain (${Math.round(bytes / 1024)} KiB)`,
    ...(await load('/api/services', { authorization })),
  },
  {
    case: 'list, 304 Not Modified',
    ...(await load('/api/services', { authorization, 'if-none-match': etag })),
  },
  { case: 'one service (detail)', ...(await load('/api/services/svc-0042', { authorization })) },
];
child.send({ type: 'stop' });

await report({
  name: 'web-list',
  title: `GET /api/services, ${SERVICES} services, ${CONNECTIONS} connections, ${DURATION_S} s each (server: one process, one core)`,
  rows,
  columns: { case: 'case', requestsPerSecond: 'req/s', p50Ms: 'p50 ms', p99Ms: 'p99 ms', errors: 'errors' },
  params: { services: SERVICES, connections: CONNECTIONS, durationSeconds: DURATION_S },
  notes: ['Target: at least 5,000 requests per second per core on the cached list.'],
});
