// @ts-check
/**
 * The `HealthMonitor`'s own cost, with checks that do nothing (return 'active' synchronously): services
 * at the minimum interval (1,000 ms) under `monitor.start()` for ~5 s after a ramp-up. Reported: CPU time
 * of the process per completed check (process.cpuUsage / monitor.checksRun), checks run against checks
 * due, event-loop delay, and heap and RSS per tracked service (after a full GC). Also `checkAll(true)`
 * over the same no-op services: the on-demand path's cost per check.
 *
 * Target: at most 20 µs of CPU per scheduled no-op check.
 *
 *   node health-scheduler.bench.mjs
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HealthMonitor } from '@servicedeck/core';
import { report } from './lib/report.mjs';
import { round, summarize } from './lib/stats.mjs';

const SIZES = [1_000, 10_000, 50_000];
const INTERVAL_MS = 1_000;
const RAMP_MS = 2_000;
const WINDOW_MS = 5_000;
const DELAY_WINDOW_MS = 2_000;
const SWEEP_SERVICES = 10_000;
const WARM_SWEEPS = 5;
const TARGET_US_PER_CHECK = 20;

const SETTINGS = { intervalMs: INTERVAL_MS, timeoutMs: 5_000, failureThreshold: 3, successThreshold: 1 };
const noop = () => /** @type {const} */ ('active');

// A full GC before each memory reading, without needing `node --expose-gc`.
v8.setFlagsFromString('--expose-gc');
const gc = /** @type {() => void} */ (runInNewContext('gc'));
const settledMemory = () => {
  gc();
  gc();
  return process.memoryUsage();
};

/** @param {NodeJS.CpuUsage} cpu */
const cpuMs = (cpu) => (cpu.user + cpu.system) / 1000;

/**
 * A monitor tracking `count` no-op services.
 *
 * @param {number} count
 */
function monitorOf(count) {
  const monitor = new HealthMonitor();
  for (let i = 0; i < count; i++)
    monitor.track(`svc-${i}`, { check: noop, settings: SETTINGS, dependencies: [] });
  return monitor;
}

/**
 * CPU time of this process over `ms` while `counter()` advances.
 *
 * @param {number} ms
 * @param {() => number} counter
 */
async function cpuWindow(ms, counter) {
  const before = counter();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await sleep(ms);
  const wallMs = performance.now() - started;
  return { wallMs, cpuMs: cpuMs(process.cpuUsage(cpu)), count: counter() - before };
}

/**
 * Event-loop delay over `ms`, measured apart from the CPU window: the histogram's own timer wakes the
 * process 100 times a second, which would be counted as the monitor's CPU.
 *
 * @param {number} ms
 */
async function delayWindow(ms) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  await sleep(ms);
  delay.disable();
  return {
    delayP50Ms: delay.percentile(50) / 1e6,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
  };
}

/** @type {Record<string, unknown>[]} */
const rows = [];
/** @type {string[]} */
const missed = [];

// What the process spends doing nothing, for reference: the CPU a window costs without the monitor.
const idle = await cpuWindow(WINDOW_MS, () => 0);
const idleDelay = await delayWindow(DELAY_WINDOW_MS);
rows.push({
  case: 'idle process (no monitor), reference',
  wallMs: round(idle.wallMs),
  cpuMs: round(idle.cpuMs),
  cpuPct: round((idle.cpuMs / idle.wallMs) * 100),
  loopP99Ms: round(idleDelay.delayP99Ms, 2),
  loopMaxMs: round(idleDelay.delayMaxMs, 2),
});

for (const count of SIZES) {
  const baseline = settledMemory();
  const monitor = monitorOf(count);
  try {
    const tracked = settledMemory();
    monitor.start();
    await sleep(RAMP_MS);
    const run = await cpuWindow(WINDOW_MS, () => monitor.checksRun);
    const delay = await delayWindow(DELAY_WINDOW_MS);
    const running = settledMemory();
    const due = (count * run.wallMs) / INTERVAL_MS;
    const usPerCheck = (run.cpuMs * 1000) / run.count;
    const met = usPerCheck <= TARGET_US_PER_CHECK;
    if (!met) {
      missed.push(
        `${count} services: ${round(usPerCheck, 2)} µs of CPU per scheduled check (target ≤ ${TARGET_US_PER_CHECK})`,
      );
    }
    rows.push({
      case: `start(), ${count.toLocaleString('en-US')} services every ${INTERVAL_MS} ms`,
      services: count,
      wallMs: round(run.wallMs),
      checks: run.count,
      checksPerSec: Math.round((run.count * 1000) / run.wallMs),
      onSchedulePct: round((run.count / due) * 100),
      cpuMs: round(run.cpuMs),
      cpuPct: round((run.cpuMs / run.wallMs) * 100),
      cpuUsPerCheck: round(usPerCheck, 2),
      loopP50Ms: round(delay.delayP50Ms, 2),
      loopP99Ms: round(delay.delayP99Ms, 2),
      loopMaxMs: round(delay.delayMaxMs, 2),
      heapBytesPerServiceTracked: Math.round((tracked.heapUsed - baseline.heapUsed) / count),
      heapBytesPerServiceRunning: Math.round((running.heapUsed - baseline.heapUsed) / count),
      rssBytesPerServiceRunning: Math.round((running.rss - baseline.rss) / count),
      target: `≤ ${TARGET_US_PER_CHECK} µs/check`,
      targetMet: met,
      met: met ? 'yes' : 'NO',
    });
    process.stdout.write('.');
  } finally {
    await monitor.stop();
  }
}

// The on-demand path: checkAll(true) over no-op services (not started, so nothing else runs).
{
  const monitor = monitorOf(SWEEP_SERVICES);
  /** @type {{ wallMs: number, cpuMs: number }[]} */
  const sweeps = [];
  for (let i = 0; i <= WARM_SWEEPS; i++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const records = await monitor.checkAll(true);
    const wallMs = performance.now() - started;
    const used = cpuMs(process.cpuUsage(cpu));
    if (records.size !== SWEEP_SERVICES) throw new Error(`checkAll returned ${records.size} records`);
    if (i > 0) sweeps.push({ wallMs, cpuMs: used });
  }
  const wall = summarize(sweeps.map((s) => s.wallMs));
  const cpu = summarize(sweeps.map((s) => s.cpuMs));
  rows.push({
    case: `checkAll(true), ${SWEEP_SERVICES.toLocaleString('en-US')} services, median of ${WARM_SWEEPS}`,
    services: SWEEP_SERVICES,
    wallMs: round(wall.median),
    checks: SWEEP_SERVICES,
    checksPerSec: Math.round((SWEEP_SERVICES * 1000) / wall.median),
    cpuMs: round(cpu.median),
    cpuPct: round((cpu.median / wall.median) * 100),
    cpuUsPerCheck: round((cpu.median * 1000) / SWEEP_SERVICES, 2),
  });
  await monitor.stop();
  process.stdout.write('\n');
}

await report({
  name: 'health-scheduler',
  title: `HealthMonitor scheduler overhead: no-op checks, ${WINDOW_MS / 1000} s windows after a ${RAMP_MS / 1000} s ramp, default concurrency`,
  rows,
  columns: {
    case: 'case',
    wallMs: 'wall ms',
    checks: 'checks',
    checksPerSec: 'checks/s',
    onSchedulePct: 'on schedule %',
    cpuMs: 'CPU ms',
    cpuPct: 'CPU %',
    cpuUsPerCheck: 'CPU µs/check',
    loopP99Ms: 'loop p99 ms',
    loopMaxMs: 'loop max ms',
    heapBytesPerServiceTracked: 'heap B/svc (tracked)',
    heapBytesPerServiceRunning: 'heap B/svc (running)',
    rssBytesPerServiceRunning: 'RSS B/svc',
    target: 'target',
    met: 'met',
  },
  params: {
    sizes: SIZES,
    intervalMs: INTERVAL_MS,
    rampMs: RAMP_MS,
    windowMs: WINDOW_MS,
    sweepServices: SWEEP_SERVICES,
    warmSweeps: WARM_SWEEPS,
    targetUsPerCheck: TARGET_US_PER_CHECK,
    allTargetsMet: missed.length === 0,
  },
  notes: [
    'CPU: process.cpuUsage() (user + system, all threads) over the window, divided by checks completed.',
    'on schedule %: checks completed ÷ checks due in the window (services × window ÷ interval).',
    `loop: event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) in a ${DELAY_WINDOW_MS / 1000} s window after the CPU window.`,
    'heap/RSS per service: growth over a process without the monitor, after a full GC; "tracked" before',
    '  start(), "running" after the window (each service then holds its last check record); at 1,000',
    '  services the growth is within GC and RSS noise, read the larger cases.',
    'No "check" listener is attached here; the manager adds one (history and events) on top.',
    missed.length === 0
      ? 'All targets met.'
      : `Targets MISSED (reported, not a failure):\n  ${missed.join('\n  ')}`,
  ],
});
