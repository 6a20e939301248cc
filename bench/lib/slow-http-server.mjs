// @ts-check
/**
 * A local HTTP server that answers every request with 200 after a fixed delay, run in its own process
 * (forked by health-sweep.bench.mjs through `startSlowServer()`), so its CPU is not the monitor's.
 *
 *   node lib/slow-http-server.mjs [delayMs]     (needs an IPC channel: start it with child_process.fork)
 *
 * It listens on 127.0.0.1 on a free port, keeps connections alive, and answers IPC messages:
 * `{ type: 'stats' }` → its counters and CPU time; `{ type: 'reset' }` → zeroes the peaks. It exits when
 * the parent disconnects (`close()`).
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * What the server reports.
 *
 * @typedef {{
 *   requests: number, connections: number, openConnections: number, pending: number,
 *   peakPending: number, peakOpenConnections: number, cpuUserMs: number, cpuSystemMs: number,
 * }} ServerStats
 */

/**
 * Forks the server and waits until it listens.
 *
 * @param {number} delayMs - how long each answer takes.
 * @returns {Promise<{ port: number, pid: number, stats(): Promise<ServerStats>, reset(): Promise<void>, close(): Promise<void> }>}
 */
export async function startSlowServer(delayMs) {
  const child = fork(fileURLToPath(import.meta.url), [String(delayMs)], { stdio: 'inherit' });
  /** @type {Array<{ type: string, resolve: (value: any) => void, reject: (error: Error) => void }>} */
  const waiting = [];
  /** @type {Error | undefined} */
  let gone;
  /** @type {(value: number) => void} */
  let listening = () => {};
  const port = new Promise((resolve, reject) => {
    listening = resolve;
    child.once('exit', (code, signal) => {
      // Whatever is still waiting for an answer gets an error instead of hanging the benchmark.
      gone = new Error(`the HTTP server exited (code ${code}, signal ${signal})`);
      for (const w of waiting.splice(0)) w.reject(gone);
      reject(gone);
    });
    child.once('error', reject);
  });
  child.on('message', (/** @type {any} */ message) => {
    if (message.type === 'listening') listening(message.port);
    const index = waiting.findIndex((w) => w.type === message.type);
    if (index >= 0) waiting.splice(index, 1)[0]?.resolve(message);
  });
  /**
   * @param {string} type
   * @returns {Promise<any>}
   */
  const ask = (type) =>
    new Promise((resolve, reject) => {
      if (gone) return reject(gone);
      waiting.push({ type, resolve, reject });
      child.send({ type });
    });
  return {
    port: await port,
    pid: /** @type {number} */ (child.pid),
    stats: async () => (await ask('stats')).stats,
    reset: async () => {
      await ask('reset');
    },
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/** The server itself, when this file is the forked process. */
function serve() {
  const delayMs = Number(process.argv[2] ?? 100);
  const body = Buffer.from('{"status":"ok"}');
  let requests = 0;
  let connections = 0;
  let openConnections = 0;
  let peakOpenConnections = 0;
  let pending = 0;
  let peakPending = 0;

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    requests += 1;
    pending += 1;
    if (pending > peakPending) peakPending = pending;
    req.resume();
    setTimeout(() => {
      pending -= 1;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    }, delayMs);
  });
  // HTTP keep-alive: idle sockets stay open for the whole run; no per-socket request limit.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  server.on('connection', (socket) => {
    connections += 1;
    openConnections += 1;
    if (openConnections > peakOpenConnections) peakOpenConnections = openConnections;
    socket.once('close', () => {
      openConnections -= 1;
    });
  });

  // The parent closed the IPC channel (or exited): stop listening and drop the kept-alive sockets, so
  // nothing keeps this process alive once the answers in progress are sent.
  process.on('disconnect', () => {
    server.close();
    server.closeAllConnections();
  });
  process.on('message', (/** @type {any} */ message) => {
    if (message.type === 'stats') {
      const cpu = process.cpuUsage();
      /** @type {ServerStats} */
      const stats = {
        requests,
        connections,
        openConnections,
        pending,
        peakPending,
        peakOpenConnections,
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
      };
      process.send?.({ type: 'stats', stats });
    } else if (message.type === 'reset') {
      peakPending = pending;
      peakOpenConnections = openConnections;
      process.send?.({ type: 'reset' });
    }
  });
  server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
    const address = server.address();
    process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve();
