// @ts-check
/**
 * `HealthMonitor` against real HTTP: every service's check is a GET to a local server (its own process,
 * 127.0.0.1, 200 after 100 ms, keep-alive) through one shared keep-alive `http.Agent` whose socket pool
 * matches the monitor's concurrency, and reads the body.
 *
 * - Sweeps: `monitor.checkAll(true)` over 1,000 and 10,000 tracked services, for concurrency 512 (the
 *   default) and 1,024: one cold sweep (the agent opens its sockets), then several warm ones. Wall time,
 *   checks/s, peak in-flight (monitor and server side), CPU time of this process and of the server.
 * - Baseline: the same sweeps as bare GETs under a `Semaphore` (no monitor, no abort signal), so the HTTP
 *   client's own cost can be told from the monitor's.
 * - Sustained: 10,000 services at a 1,000 ms interval under `monitor.start()`; after a ramp-up, completed
 *   checks per second over a ~5 s window.
 *
 * Targets (2-core machine): 1,000 services swept in < 0.3 s, 10,000 in < 2.5 s, ≥ 5,000 checks/s
 * sustained. A missed target is reported, not an error.
 *
 *   node health-sweep.bench.mjs
 */
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { HealthMonitor, Semaphore } from '@servicedeck/core';
import { report } from './lib/report.mjs';
import { startSlowServer } from './lib/slow-http-server.mjs';
import { percentile, round, summarize } from './lib/stats.mjs';

const SERVER_DELAY_MS = 100;
const CONCURRENCIES = [512, 1024];
const SWEEP_SIZES = [1_000, 10_000];
const WARMUP_MS = 1_000;
const WARM_SWEEPS = 5;
const SUSTAINED_SERVICES = 10_000;
const SUSTAINED_INTERVAL_MS = 1_000;
const SUSTAINED_RAMP_MS = 2_000;
const SUSTAINED_WINDOW_MS = 5_000;

/** Sweep-time targets by number of services (ms), and the sustained throughput target (checks/s). */
const SWEEP_TARGET_MS = new Map([
  [1_000, 300],
  [10_000, 2_500],
]);
const THROUGHPUT_TARGET = 5_000;

const SETTINGS = {
  intervalMs: SUSTAINED_INTERVAL_MS,
  timeoutMs: 5_000,
  failureThreshold: 3,
  successThreshold: 1,
};

/** @typedef {Awaited<ReturnType<typeof startSlowServer>>} Server */

/**
 * GETs `path` through `agent` and reads the whole body: `active` on a 200 with a body.
 *
 * @param {http.Agent} agent
 * @param {number} port
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<import('@servicedeck/core').HealthCheckResult | 'active'>}
 */
function httpGet(agent, port, path, signal) {
  return new Promise((resolve, reject) => {
    const req = http.get({ agent, host: '127.0.0.1', port, path, signal }, (res) => {
      let bytes = 0;
      res.on('data', (/** @type {Buffer} */ chunk) => {
        bytes += chunk.length;
      });
      res.once('error', reject);
      res.once('end', () =>
        resolve(
          res.statusCode === 200 && bytes > 0
            ? 'active'
            : { status: 'error', message: `HTTP ${res.statusCode}, ${bytes} bytes` },
        ),
      );
    });
    req.once('error', reject);
  });
}

/**
 * A keep-alive agent with one socket per possible check in flight. `maxFreeSockets` is raised to the same
 * number: at its default (256) the agent would close every idle socket above 256 between sweeps.
 *
 * @param {number} concurrency
 */
const agentFor = (concurrency) =>
  new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

/**
 * A monitor tracking `count` services that each GET their own path.
 *
 * @param {number} count
 * @param {number} concurrency
 * @param {http.Agent} agent
 * @param {number} port
 */
function monitorOf(count, concurrency, agent, port) {
  const monitor = new HealthMonitor({ concurrency });
  for (let i = 0; i < count; i++) {
    const id = `svc-${i}`;
    const path = `/health/${id}`;
    // The check passes the monitor's abort signal on, as a real HTTP check does.
    monitor.track(id, {
      check: (signal) => httpGet(agent, port, path, signal),
      settings: SETTINGS,
      dependencies: [],
    });
  }
  return monitor;
}

/** @param {NodeJS.CpuUsage} cpu */
const cpuMs = (cpu) => (cpu.user + cpu.system) / 1000;

/**
 * Runs one measured action: wall time, this process's CPU time, and the server's counters around it.
 *
 * @template T
 * @param {Server} server
 * @param {() => Promise<T>} action
 */
async function measured(server, action) {
  await server.reset();
  const before = await server.stats();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await action();
  const wallMs = performance.now() - started;
  const cpuUsed = process.cpuUsage(cpu);
  const after = await server.stats();
  return {
    value,
    wallMs,
    cpuMs: cpuMs(cpuUsed),
    server: {
      requests: after.requests - before.requests,
      connectionsOpened: after.connections - before.connections,
      peakPending: after.peakPending,
      cpuMs: after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs,
    },
  };
}

/**
 * @param {number} value
 * @param {number} target
 * @param {'below' | 'atLeast'} kind
 */
const verdict = (value, target, kind) => (kind === 'below' ? value < target : value >= target);

/** @type {Record<string, unknown>[]} */
const rows = [];
/** @type {string[]} */
const missed = [];

/**
 * Runs one sweep and checks that every service answered `active`.
 *
 * @param {Server} server
 * @param {string} label
 * @param {number} count
 * @param {() => Promise<SweepResult[]>} sweep
 */
async function checkedSweep(server, label, count, sweep) {
  const run = await measured(server, sweep);
  const failed = run.value.filter((r) => r.status !== 'active');
  if (run.value.length !== count || failed.length > 0) {
    throw new Error(
      `${label}: ${run.value.length} results, ${failed.length} not active (${failed[0]?.message})`,
    );
  }
  return run;
}

/**
 * @typedef {{ status: string, message?: string | null, latencyMs?: number | null }} SweepResult
 */

/**
 * One sweep case: a cold sweep (the agent connects, the code is not optimized yet), warm-up sweeps for at
 * least WARMUP_MS, then WARM_SWEEPS measured ones; pushes two rows (cold, and the median of the warm).
 *
 * @param {Server} server
 * @param {object} options
 * @param {string} options.label
 * @param {number} options.count
 * @param {number} options.concurrency
 * @param {() => Promise<SweepResult[]>} options.sweep
 * @param {() => number} options.peak - the most checks in flight so far.
 * @param {boolean} options.withTarget
 */
async function sweepCase(server, { label, count, concurrency, sweep, peak, withTarget }) {
  const sweeps = [await checkedSweep(server, label, count, sweep)];
  process.stdout.write('c');
  const warmUntil = performance.now() + WARMUP_MS;
  do {
    await checkedSweep(server, label, count, sweep);
    process.stdout.write('w');
  } while (performance.now() < warmUntil);
  for (let i = 0; i < WARM_SWEEPS; i++) {
    sweeps.push(await checkedSweep(server, label, count, sweep));
    process.stdout.write('.');
  }
  const [cold, ...warm] = /** @type {[typeof sweeps[0], ...typeof sweeps]} */ (sweeps);
  const latencies = warm.flatMap((s) => s.value.map((r) => r.latencyMs ?? Number.NaN));
  const wall = summarize(warm.map((s) => s.wallMs));
  const cpu = summarize(warm.map((s) => s.cpuMs));
  const targetMs = /** @type {number} */ (SWEEP_TARGET_MS.get(count));
  const met = verdict(wall.median, targetMs, 'below');
  if (withTarget && !met) {
    missed.push(`${label} at concurrency ${concurrency}: ${round(wall.median)} ms (target < ${targetMs} ms)`);
  }
  const common = { case: label, concurrency, services: count };
  rows.push({
    ...common,
    run: 'first (connects)',
    runs: 1,
    wallMs: round(cold.wallMs),
    checksPerSec: Math.round((count * 1000) / cold.wallMs),
    socketsOpened: cold.server.connectionsOpened,
    serverPeakPending: cold.server.peakPending,
    cpuMs: round(cold.cpuMs),
    cpuUsPerCheck: round((cold.cpuMs * 1000) / count),
    serverCpuMs: round(cold.server.cpuMs),
  });
  rows.push({
    ...common,
    run: `warm, median of ${WARM_SWEEPS}`,
    runs: WARM_SWEEPS,
    wallMs: round(wall.median),
    wallMsMin: round(wall.min),
    wallMsMax: round(wall.max),
    idealMs: Math.ceil(count / concurrency) * SERVER_DELAY_MS,
    checksPerSec: Math.round((count * 1000) / wall.median),
    peakInFlight: peak(),
    serverPeakPending: Math.max(...warm.map((s) => s.server.peakPending)),
    socketsOpened: warm.reduce((sum, s) => sum + s.server.connectionsOpened, 0),
    cpuMs: round(cpu.median),
    cpuUsPerCheck: round((cpu.median * 1000) / count),
    serverCpuMs: round(summarize(warm.map((s) => s.server.cpuMs)).median),
    ...(latencies.every(Number.isFinite)
      ? { latencyP50Ms: round(percentile(latencies, 50)), latencyP99Ms: round(percentile(latencies, 99)) }
      : {}),
    ...(withTarget
      ? { target: `< ${targetMs.toLocaleString('en-US')} ms`, targetMet: met, met: met ? 'yes' : 'NO' }
      : {}),
  });
}

/**
 * Sweeps of a monitor tracking `count` services.
 *
 * @param {Server} server
 * @param {number} concurrency
 * @param {number} count
 */
async function sweepMonitor(server, concurrency, count) {
  const agent = agentFor(concurrency);
  const monitor = monitorOf(count, concurrency, agent, server.port);
  try {
    await sweepCase(server, {
      label: `checkAll(true), ${count.toLocaleString('en-US')} services`,
      count,
      concurrency,
      sweep: async () => [...(await monitor.checkAll(true)).values()],
      peak: () => monitor.inFlight.peak,
      withTarget: true,
    });
  } finally {
    await monitor.stop();
    agent.destroy();
  }
}

/**
 * The baseline: the same GETs with only a semaphore around them (no monitor, no abort signal), so the HTTP
 * client's own cost can be told from the monitor's.
 *
 * @param {Server} server
 * @param {number} concurrency
 * @param {number} count
 */
async function sweepBaseline(server, concurrency, count) {
  const agent = agentFor(concurrency);
  const semaphore = new Semaphore(concurrency);
  const paths = Array.from({ length: count }, (_, i) => `/health/svc-${i}`);
  try {
    await sweepCase(server, {
      label: `baseline: ${count.toLocaleString('en-US')} GETs, no monitor`,
      count,
      concurrency,
      sweep: () =>
        Promise.all(
          paths.map(async (path) => {
            const result = await semaphore.run(() => httpGet(agent, server.port, path));
            return typeof result === 'string' ? { status: result } : result;
          }),
        ),
      peak: () => semaphore.peak,
      withTarget: false,
    });
  } finally {
    agent.destroy();
  }
}

/**
 * Sustained throughput: the scheduler drives the checks (`monitor.start()`); after a ramp-up, completed
 * checks are counted over a window.
 *
 * @param {Server} server
 * @param {number} concurrency
 */
async function sustained(server, concurrency) {
  const agent = agentFor(concurrency);
  const monitor = monitorOf(SUSTAINED_SERVICES, concurrency, agent, server.port);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let failures = 0;
  monitor.on('check', (record) => {
    if (record.status !== 'active') failures += 1;
  });
  try {
    monitor.start();
    await sleep(SUSTAINED_RAMP_MS);
    process.stdout.write('s');
    const checksBefore = monitor.checksRun;
    /** @type {number[]} */
    const perSecond = [];
    delay.enable();
    const window = await measured(server, async () => {
      let last = monitor.checksRun;
      for (let elapsed = 0; elapsed < SUSTAINED_WINDOW_MS; elapsed += 1_000) {
        await sleep(1_000);
        perSecond.push(monitor.checksRun - last);
        last = monitor.checksRun;
      }
    });
    delay.disable();
    const checks = monitor.checksRun - checksBefore;
    const checksPerSec = Math.round((checks * 1000) / window.wallMs);
    const met = verdict(checksPerSec, THROUGHPUT_TARGET, 'atLeast');
    if (!met) {
      missed.push(
        `sustained at concurrency ${concurrency}: ${checksPerSec} checks/s (target ≥ ${THROUGHPUT_TARGET})`,
      );
    }
    const queued = monitor.inFlight.waiting;
    const stopStarted = performance.now();
    await monitor.stop();
    const stopMs = performance.now() - stopStarted;
    rows.push({
      case: `start(), ${SUSTAINED_SERVICES.toLocaleString('en-US')} services every ${SUSTAINED_INTERVAL_MS} ms`,
      concurrency,
      services: SUSTAINED_SERVICES,
      run: `${round(window.wallMs / 1000)} s after ${SUSTAINED_RAMP_MS / 1000} s ramp`,
      runs: 1,
      wallMs: round(window.wallMs),
      checksPerSec,
      checksPerSecBySecond: perSecond,
      demandPerSec: (SUSTAINED_SERVICES * 1000) / SUSTAINED_INTERVAL_MS,
      ceilingPerSec: Math.round((concurrency * 1000) / SERVER_DELAY_MS),
      peakInFlight: monitor.inFlight.peak,
      serverPeakPending: window.server.peakPending,
      socketsOpened: window.server.connectionsOpened,
      cpuMs: round(window.cpuMs),
      cpuUsPerCheck: round((window.cpuMs * 1000) / checks),
      serverCpuMs: round(window.server.cpuMs),
      eventLoopDelayP99Ms: round(delay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(delay.max / 1e6),
      failures,
      queuedAtStop: queued,
      stopMs: round(stopMs),
      target: `≥ ${THROUGHPUT_TARGET.toLocaleString('en-US')} checks/s`,
      targetMet: met,
      met: met ? 'yes' : 'NO',
    });
  } finally {
    await monitor.stop();
    agent.destroy();
  }
}

const server = await startSlowServer(SERVER_DELAY_MS);
try {
  for (const concurrency of CONCURRENCIES) {
    for (const count of SWEEP_SIZES) {
      await sweepMonitor(server, concurrency, count);
      await sweepBaseline(server, concurrency, count);
    }
    await sustained(server, concurrency);
  }
  process.stdout.write('\n');

  await report({
    name: 'health-sweep',
    title: `HealthMonitor with real HTTP checks (server in its own process: 200 after ${SERVER_DELAY_MS} ms, keep-alive)`,
    rows,
    columns: {
      case: 'case',
      concurrency: 'conc.',
      run: 'run',
      wallMs: 'wall ms',
      idealMs: 'ideal ms',
      checksPerSec: 'checks/s',
      peakInFlight: 'peak in-flight',
      serverPeakPending: 'server peak',
      socketsOpened: 'sockets opened',
      cpuMs: 'CPU ms',
      cpuUsPerCheck: 'CPU µs/check',
      serverCpuMs: 'server CPU ms',
      latencyP50Ms: 'p50 ms',
      latencyP99Ms: 'p99 ms',
      target: 'target',
      met: 'met',
    },
    params: {
      serverDelayMs: SERVER_DELAY_MS,
      concurrencies: CONCURRENCIES,
      sweepSizes: SWEEP_SIZES,
      warmupMs: WARMUP_MS,
      warmSweeps: WARM_SWEEPS,
      sustained: {
        services: SUSTAINED_SERVICES,
        intervalMs: SUSTAINED_INTERVAL_MS,
        rampMs: SUSTAINED_RAMP_MS,
        windowMs: SUSTAINED_WINDOW_MS,
      },
      targets: {
        sweepMs: Object.fromEntries(SWEEP_TARGET_MS),
        checksPerSec: THROUGHPUT_TARGET,
      },
      agent: 'http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })',
      allTargetsMet: missed.length === 0,
    },
    notes: [
      'ideal ms: the least a sweep can take, ceil(services / concurrency) × server delay.',
      'baseline rows: the same GETs through a bare Semaphore (no monitor, no abort signal): the HTTP client alone.',
      'peak in-flight: monitor.inFlight.peak; server peak: most requests the server held at once (warm sweeps).',
      'CPU ms: this process (the monitor and its HTTP client); server CPU ms: the server process.',
      'p50/p99 ms: latencyMs of the checks (from holding a slot to the end of the body).',
      ...rows
        .filter((row) => row.stopMs !== undefined)
        .map(
          (row) =>
            `start() at concurrency ${row.concurrency}: checks/s by second ${JSON.stringify(row.checksPerSecBySecond)}` +
            ` (ceiling ${row.ceilingPerSec}/s, demand ${row.demandPerSec}/s), event-loop delay p99 ${row.eventLoopDelayP99Ms} ms,` +
            ` stop() took ${row.stopMs} ms with ${row.queuedAtStop} checks queued.`,
        ),
      missed.length === 0
        ? 'All targets met.'
        : `Targets MISSED (reported, not a failure):\n  ${missed.join('\n  ')}`,
    ],
  });
} finally {
  await server.close();
}
