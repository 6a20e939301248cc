// @ts-check
/**
 * Start-up cost with 200 real plugin packages (dependency graph 6 deep): `discoverServices({ root })`,
 * a first `manager.start()` on an empty SQLite file (every catalog row inserted), a second start on the
 * same file (catalog unchanged, so it should write nothing to the catalog), and `manager.shutdown()`,
 * with the SQL statements each one runs and the memory in use after start.
 *
 * Every measurement runs in a fresh process (lib/startup-child.mjs), so modules are loaded cold each time.
 *
 *   node discovery-startup.bench.mjs
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { graphDepth, writePluginHost } from './lib/plugin-host.mjs';
import { report } from './lib/report.mjs';
import { round, summarize } from './lib/stats.mjs';

const PLUGINS = 200;
const WARMUP_RUNS = 1;
const RUNS = 5;

const CHILD = fileURLToPath(new URL('./lib/startup-child.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * What lib/startup-child.mjs prints for `start`.
 *
 * @typedef {{ total: number, writes: number, byStatement: Record<string, number> }} SqlCounts
 * @typedef {{
 *   importMs: number, startMs: number, shutdownMs: number, rssMB: number, heapUsedMB: number,
 *   phases: { discoveryMs: number, databaseAndSyncMs: number, servicesMs: number },
 *   sql: { start: SqlCounts, shutdown: SqlCounts },
 * }} StartRun
 */

/**
 * Runs the child script in a fresh Node process and parses its JSON.
 *
 * @param {string[]} args
 * @returns {Promise<any>}
 */
async function child(...args) {
  const { stdout } = await run(process.execPath, ['--expose-gc', CHILD, ...args], {
    maxBuffer: 16 * 2 ** 20,
  });
  return JSON.parse(stdout);
}

/**
 * A table row of timings (median, min, max in ms), plus any other columns.
 *
 * @param {string} phase
 * @param {number[]} ms
 * @param {Record<string, unknown>} [extra]
 */
function timingRow(phase, ms, extra = {}) {
  const { median, min, max } = summarize(ms);
  return { phase, medianMs: round(median), minMs: round(min), maxMs: round(max), ...extra };
}

/**
 * The rows of one kind of start: the whole, its three phases, then the shutdown that followed.
 *
 * @param {string} label
 * @param {StartRun[]} runs
 */
function startRows(label, runs) {
  const last = /** @type {StartRun} */ (runs.at(-1));
  return [
    timingRow(
      `start(), ${label}`,
      runs.map((r) => r.startMs),
      {
        sqlStatements: last.sql.start.total,
        sqlWrites: last.sql.start.writes,
        rssMB: round(summarize(runs.map((r) => r.rssMB)).median),
        heapUsedMB: round(summarize(runs.map((r) => r.heapUsedMB)).median),
        sql: last.sql.start.byStatement,
      },
    ),
    timingRow(
      '  discovery + graph check',
      runs.map((r) => r.phases.discoveryMs),
    ),
    timingRow(
      '  open db, migrate, catalog sync',
      runs.map((r) => r.phases.databaseAndSyncMs),
    ),
    timingRow(
      '  start services, persist statuses',
      runs.map((r) => r.phases.servicesMs),
    ),
    timingRow(
      `shutdown() after the ${label.split(' ')[0]} start`,
      runs.map((r) => r.shutdownMs),
      {
        sqlStatements: last.sql.shutdown.total,
        sqlWrites: last.sql.shutdown.writes,
        sql: last.sql.shutdown.byStatement,
      },
    ),
  ];
}

const host = await mkdtemp(path.join(tmpdir(), 'sd-bench-startup-'));
try {
  await writePluginHost(host, PLUGINS);
  /** @type {number[]} */
  const importMs = [];
  /** @type {number[]} */
  const discoverMs = [];
  /** @type {StartRun[]} */
  const firstStarts = [];
  /** @type {StartRun[]} */
  const secondStarts = [];
  for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
    const db = path.join(host, `run-${i}.db`);
    const discover = await child('discover', host);
    /** @type {StartRun} */
    const first = await child('start', host, db);
    /** @type {StartRun} */
    const second = await child('start', host, db);
    process.stdout.write(i < WARMUP_RUNS ? 'w' : '.');
    if (i < WARMUP_RUNS) continue;
    importMs.push(discover.importMs, first.importMs, second.importMs);
    discoverMs.push(discover.discoverMs);
    firstStarts.push(first);
    secondStarts.push(second);
  }
  process.stdout.write('\n');

  const rows = [
    timingRow('import @servicedeck/core', importMs),
    timingRow('discoverServices({ root })', discoverMs),
    ...startRows('first (empty db)', firstStarts),
    ...startRows('second (same db)', secondStarts),
  ];
  const secondWrites = Object.entries(/** @type {StartRun} */ (secondStarts.at(-1)).sql.start.byStatement)
    .filter(([key]) => /^(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b/.test(key))
    .map(([key, n]) => `${key} ×${n}`);
  await report({
    name: 'discovery-startup',
    title: `Start-up with ${PLUGINS} plugin packages (graph depth ${graphDepth(PLUGINS)}), ${RUNS} runs in fresh processes after ${WARMUP_RUNS} warm-up`,
    rows,
    columns: {
      phase: 'phase',
      medianMs: 'median ms',
      minMs: 'min ms',
      maxMs: 'max ms',
      sqlStatements: 'SQL',
      sqlWrites: 'writes',
      rssMB: 'RSS MB',
      heapUsedMB: 'heap MB',
    },
    params: { plugins: PLUGINS, graphDepth: graphDepth(PLUGINS), runs: RUNS, warmupRuns: WARMUP_RUNS },
    notes: [
      'SQL and writes: statements run (BEGIN/COMMIT included), from the last run; per-statement counts are in the JSON.',
      `Writes of the second start: ${secondWrites.join(', ') || 'none'}.`,
      'RSS and heap: after start(), after a full GC, median of the runs.',
    ],
  });
} finally {
  await rm(host, { recursive: true, force: true });
}
