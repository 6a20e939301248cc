// @ts-check
/**
 * The dashboard's live stream with 1,000 clients: the server's extra memory once they are connected, and
 * the time from a status change (asked of the server over IPC) until every client has received its event,
 * over repeated changes. The clients are plain HTTP streams in this process; the server is its own.
 *
 *   node web-live.bench.mjs
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { report } from './lib/report.mjs';
import { percentile, round } from './lib/stats.mjs';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const CHANGES = 20;

const child = fork(fileURLToPath(new URL('./lib/web-server-child.mjs', import.meta.url)), [], {
  env: { ...process.env, SERVICES: '200' },
  execArgv: ['--expose-gc'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
/** @type {{ url: string, token: string }} */
const server = await new Promise((resolve, reject) => {
  child.once('message', (message) => resolve(/** @type {{ url: string, token: string }} */ (message)));
  child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
});

let nextId = 0;
/** @returns {Promise<NodeJS.MemoryUsage>} */
function memory() {
  nextId += 1;
  const id = nextId;
  return new Promise((resolve) => {
    /** @param {any} message */
    const onMessage = (message) => {
      if (message.type === 'memory' && message.id === id) {
        child.off('message', onMessage);
        resolve(message.memory);
      }
    };
    child.on('message', onMessage);
    child.send({ type: 'memory', id });
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS + 10 });
/** @type {((at: number) => void)[]} */
const waiting = [];

/** Opens one stream that counts `status` events. */
function openClient() {
  return new Promise((resolve, reject) => {
    const request = http.get(
      `${server.url}/api/events?types=status`,
      { agent, headers: { authorization: `Bearer ${server.token}`, accept: 'text/event-stream' } },
      (response) => {
        if (response.statusCode !== 200) {
          reject(new Error(`stream refused: ${response.statusCode}`));
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (/** @type {string} */ chunk) => {
          const events = chunk.split('event: status').length - 1;
          for (let i = 0; i < events; i += 1) {
            const done = waiting.shift();
            done?.(performance.now());
          }
        });
        resolve(request);
      },
    );
    request.on('error', reject);
  });
}

const before = await memory();
/** @type {http.ClientRequest[]} */
const clients = [];
for (let i = 0; i < CLIENTS; i += 100) {
  clients.push(
    .../** @type {http.ClientRequest[]} */ (
      await Promise.all(Array.from({ length: Math.min(100, CLIENTS - i) }, openClient))
    ),
  );
}
await new Promise((resolve) => setTimeout(resolve, 500));
const after = await memory();

/** @type {number[]} */
const allReceivedMs = [];
for (let change = 0; change < CHANGES; change += 1) {
  const start = performance.now();
  /** @type {number[]} */
  const arrivals = [];
  const all = new Promise((resolve) => {
    for (let i = 0; i < CLIENTS; i += 1) {
      waiting.push((at) => {
        arrivals.push(at);
        if (arrivals.length === CLIENTS) resolve(undefined);
      });
    }
  });
  child.send({ type: 'flip' });
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  waiting.length = 0;
  if (arrivals.length < CLIENTS)
    throw new Error(`only ${arrivals.length} of ${CLIENTS} clients got change ${change}`);
  allReceivedMs.push(Math.max(...arrivals) - start);
  await new Promise((resolve) => setTimeout(resolve, 50));
}
for (const client of clients) client.destroy();
agent.destroy();
child.send({ type: 'stop' });

const mb = (/** @type {number} */ bytes) => round(bytes / 1024 / 1024, 1);
await report({
  name: 'web-live',
  title: `${CLIENTS} live clients (Server-Sent Events), ${CHANGES} status changes`,
  rows: [
    {
      clients: CLIENTS,
      extraRssMb: mb(after.rss - before.rss),
      extraHeapMb: mb(after.heapUsed - before.heapUsed),
      p50AllMs: round(percentile(allReceivedMs, 50), 1),
      p99AllMs: round(percentile(allReceivedMs, 99), 1),
      maxAllMs: round(Math.max(...allReceivedMs), 1),
    },
  ],
  columns: {
    clients: 'clients',
    extraRssMb: 'extra RSS MB',
    extraHeapMb: 'extra heap MB',
    p50AllMs: 'to all, p50 ms',
    p99AllMs: 'to all, p99 ms',
    maxAllMs: 'to all, max ms',
  },
  params: { clients: CLIENTS, changes: CHANGES },
  notes: [
    '"to all" is the time from asking the server for a status change until the last client received it (IPC and a health check included).',
    'Targets: one change to 1,000 clients in under 100 ms; under 100 MB of extra memory for them.',
  ],
});
