// @ts-check
/**
 * Hot reload: `manager.reloadService(id)` on a plugin service whose file imports three helper modules of
 * its own package and whose instance holds a TCP server, a client connection to it, an interval, a timeout
 * and a 1 MiB buffer; alone, and with 10 dependent services that are restarted with it. Reported: the
 * reload time, and the memory each reload keeps after a full GC (Node cannot unload ES modules, so every
 * reload keeps its new module instances) against the size of the code it loads afresh. Checked: every
 * reload succeeds, the active handles are back to their baseline, and every old instance is collected.
 *
 *   node reload.bench.mjs
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger, ServiceRegistryManager } from '@servicedeck/core';
import {
  dependentServiceId,
  EVALUATIONS,
  HELPERS,
  RELOAD_SERVICE_ID,
  writeReloadHost,
} from './lib/reload-host.mjs';
import { report } from './lib/report.mjs';
import { median, percentile, round } from './lib/stats.mjs';

/** How many services depend on the reloaded one, per case. */
const CASES = [0, 10];
const WARMUP_RELOADS = 10;
const RELOADS = 200;
const ACTOR = { actor: 'bench', adapter: 'bench' };
/** The modules a reload must evaluate afresh: the service file and its helpers. */
const MODULES_PER_RELOAD = 1 + HELPERS;

setFlagsFromString('--expose-gc');
const gc = /** @type {() => void} */ (runInNewContext('gc'));

/**
 * SQL statements the managers ran (counted from their debug log), and the warnings and errors they logged.
 *
 * @type {{ sql: number, writes: number, problems: Record<string, number> }}
 */
const logged = { sql: 0, writes: 0, problems: {} };
const logger = createLogger({
  level: 'debug',
  sink: (record) => {
    if (record.level === 'warn' || record.level === 'error') {
      const key = `${record.level}: ${record.message}`;
      logged.problems[key] = (logged.problems[key] ?? 0) + 1;
    }
    if (record.message !== 'sql') return;
    logged.sql++;
    // Sequelize logs "Executing (default): INSERT ..."
    const statement = String(record.fields.sql).replace(/^Executing \([^)]*\): /, '');
    if (/^(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(statement)) logged.writes++;
  },
});

/** @typedef {Record<string, number>} Resources Active handles and requests by type. */

/** @returns {Resources} */
function resources() {
  /** @type {Resources} */
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * How two resource counts differ, as `type: before → after`; empty when they are the same.
 *
 * @param {Resources} before
 * @param {Resources} after
 * @returns {string[]}
 */
function resourceChanges(before, after) {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((type) => (before[type] ?? 0) !== (after[type] ?? 0))
    .map((type) => `${type}: ${before[type] ?? 0} → ${after[type] ?? 0}`);
}

/** @param {Resources} counts */
const describeResources = (counts) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type} ×${n}`)
    .join(', ') || 'none';

/** Bytes held by JavaScript objects and the buffers they own, and the resident set size. */
function memory() {
  const usage = process.memoryUsage();
  return { retained: usage.heapUsed + usage.arrayBuffers, rss: usage.rss };
}

/** Lets closed handles and finished timers go, then collects garbage fully (several passes). */
async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
}

/**
 * The active resources once they match `expected`, or as they still are after a few more settles: a
 * request or immediate in flight at one moment (a database callback, a file closing) is not a leak, a
 * handle that stays is.
 *
 * @param {Resources} expected
 * @returns {Promise<Resources>}
 */
async function resourcesSettled(expected) {
  let current = resources();
  for (let i = 0; i < 5 && resourceChanges(expected, current).length > 0; i++) {
    await settle();
    current = resources();
  }
  return current;
}

/**
 * A baseline of the active resources: counts that stay the same across a settle (up to a few tries).
 *
 * @returns {Promise<Resources>}
 */
async function stableResources() {
  let previous = resources();
  for (let i = 0; i < 5; i++) {
    await settle();
    const current = resources();
    if (resourceChanges(previous, current).length === 0) return current;
    previous = current;
  }
  return previous;
}

/** @returns {number} */
const evaluations = () =>
  /** @type {Record<string, number>} */ (/** @type {unknown} */ (globalThis))[EVALUATIONS] ?? 0;

/**
 * The reload benchmark of one case: a fresh host, manager and database, warm-up reloads, the measured
 * ones, then the checks (handles at their baseline, old instances collected, nothing left after shutdown).
 *
 * @param {string} root - an empty directory.
 * @param {number} dependents
 */
async function runCase(root, dependents) {
  const host = await writeReloadHost(root, dependents);
  const dependentIds = Array.from({ length: dependents }, (_, i) => dependentServiceId(i));
  const beforeStart = await stableResources();
  const manager = new ServiceRegistryManager({
    database: { url: `sqlite:${path.join(root, 'servicedeck.db')}` },
    discovery: { root },
    processHealth: false,
    health: { schedule: false },
    sync: { enabled: false },
    logger,
  });
  /** @type {string[]} */
  const failures = [];
  let version = 0;

  /**
   * Rewrites the service file (a new version) and reloads it; anything but a full success throws.
   *
   * @returns {Promise<{ durationMs: number, wallMs: number, old: WeakRef<object>[] }>}
   */
  const reloadOnce = async () => {
    version++;
    const old = [RELOAD_SERVICE_ID, ...dependentIds].map((id) => new WeakRef(manager.getService(id)));
    await host.writeVersion(version);
    const evaluatedBefore = evaluations();
    const started = performance.now();
    const result = await manager.reloadService(RELOAD_SERVICE_ID, ACTOR);
    const wallMs = performance.now() - started;
    const where = `reload ${version} (${dependents} dependents)`;
    if (result.result !== 'ok') {
      throw new Error(
        `${where} returned '${result.result}' at stage ${result.stage}: ${result.error?.message ?? result.message}`,
        { cause: result.error },
      );
    }
    if (result.version !== `1.0.${version}` || !result.running) {
      throw new Error(
        `${where}: version ${result.version}, running ${result.running}; expected 1.0.${version}, running`,
      );
    }
    const restarted = result.dependents.filter((d) => d.action === 'restarted' && d.result === 'ok').length;
    if (restarted !== dependents || result.dependents.length !== dependents) {
      throw new Error(
        `${where}: dependents ${JSON.stringify(result.dependents)}; expected ${dependents} restarted`,
      );
    }
    const evaluated = evaluations() - evaluatedBefore;
    if (evaluated !== MODULES_PER_RELOAD) {
      throw new Error(
        `${where} evaluated ${evaluated} module(s) of the package; expected ${MODULES_PER_RELOAD} (the service file and its ${HELPERS} helpers)`,
      );
    }
    if (manager.getService(RELOAD_SERVICE_ID) === old[0]?.deref()) {
      throw new Error(`${where}: the service has the same instance as before`);
    }
    return { durationMs: result.durationMs, wallMs, old };
  };

  try {
    await manager.start();
    // Throws, with the reason, for a service that did not start.
    for (const id of [RELOAD_SERVICE_ID, ...dependentIds]) manager.getService(id);
    for (let i = 0; i < WARMUP_RELOADS; i++) await reloadOnce();
    const baseline = await stableResources();
    const memoryBefore = memory();

    /** @type {WeakRef<object>[]} */
    const oldInstances = [];
    /** @type {number[]} */
    const durationMs = [];
    /** @type {number[]} */
    const wallMs = [];
    const sqlBefore = { ...logged };
    const started = performance.now();
    for (let i = 0; i < RELOADS; i++) {
      const reload = await reloadOnce();
      durationMs.push(reload.durationMs);
      wallMs.push(reload.wallMs);
      oldInstances.push(...reload.old);
    }
    const totalMs = performance.now() - started;
    const sqlPerReload = (logged.sql - sqlBefore.sql) / RELOADS;
    const writesPerReload = (logged.writes - sqlBefore.writes) / RELOADS;
    await settle();
    const memoryAfter = memory();
    const after = await resourcesSettled(baseline);
    const alive = oldInstances.filter((ref) => ref.deref() !== undefined).length;

    const handleChanges = resourceChanges(baseline, after);
    if (handleChanges.length > 0) {
      failures.push(
        `${dependents} dependents: active handles differ from the baseline: ${handleChanges.join(', ')}`,
      );
    }
    if (alive > 0) {
      failures.push(
        `${dependents} dependents: ${alive} of ${oldInstances.length} old instances were not collected`,
      );
    }
    const codeBytes = await host.reEvaluatedBytes();
    const retainedPerReload = (memoryAfter.retained - memoryBefore.retained) / RELOADS;
    return {
      failures,
      row: {
        case: dependents === 0 ? 'no dependents' : `${dependents} dependents (restarted)`,
        reloads: RELOADS,
        durationMedianMs: round(median(durationMs), 2),
        durationP95Ms: round(percentile(durationMs, 95), 2),
        durationMaxMs: round(Math.max(...durationMs), 2),
        wallMedianMs: round(median(wallMs), 2),
        wallP95Ms: round(percentile(wallMs, 95), 2),
        wallMaxMs: round(Math.max(...wallMs), 2),
        sqlPerReload: round(sqlPerReload),
        writesPerReload: round(writesPerReload),
        retainedKiBPerReload: round(retainedPerReload / 1024),
        rssKiBPerReload: round((memoryAfter.rss - memoryBefore.rss) / RELOADS / 1024),
        codeKiB: round(codeBytes / 1024),
        retainedPerCodeByte: round(retainedPerReload / codeBytes),
        handles: handleChanges.length === 0 ? 'at baseline' : handleChanges.join(', '),
        collected: `${oldInstances.length - alive}/${oldInstances.length}`,
        totalSeconds: round(totalMs / 1000, 2),
        baselineHandles: baseline,
        codeBytes,
        memoryBefore,
        memoryAfter,
      },
    };
  } finally {
    await manager.shutdown();
    // Once the manager is shut down, nothing it or the services opened may remain.
    const leftover = resourceChanges(beforeStart, await resourcesSettled(beforeStart));
    if (leftover.length > 0) {
      failures.push(
        `${dependents} dependents: after shutdown, active handles differ from before start: ${leftover.join(', ')}`,
      );
    }
  }
}

// Node opens the handles of stdout and stderr when they are first used; opening them now keeps them out
// of the handle counts compared below (they are the process's, not a service's).
process.stdout.write('');
process.stderr.write('');

/** @type {string[]} */
const failures = [];
const dir = await mkdtemp(path.join(tmpdir(), 'sd-bench-reload-'));
try {
  const rows = [];
  /** @type {string[]} */
  const handleNotes = [];
  for (const dependents of CASES) {
    const root = path.join(dir, `dependents-${dependents}`);
    await mkdir(root);
    const { failures: caseFailures, row } = await runCase(root, dependents);
    failures.push(...caseFailures);
    handleNotes.push(`${row.case}: ${describeResources(row.baselineHandles)}`);
    rows.push(row);
    process.stdout.write('.');
  }
  process.stdout.write('\n');

  await report({
    name: 'reload',
    title: `reloadService() of a plugin service (a file + ${HELPERS} helper modules, TCP server + client, interval, timeout, 1 MiB buffer), ${RELOADS} reloads per case after ${WARMUP_RELOADS} warm-up`,
    rows,
    columns: {
      case: 'case',
      durationMedianMs: 'median ms',
      durationP95Ms: 'p95 ms',
      durationMaxMs: 'max ms',
      wallMedianMs: 'wall median',
      wallP95Ms: 'wall p95',
      wallMaxMs: 'wall max',
      sqlPerReload: 'SQL',
      writesPerReload: 'writes',
      retainedKiBPerReload: 'heap+buf KiB/reload',
      rssKiBPerReload: 'RSS KiB/reload',
      codeKiB: 'code KiB',
      retainedPerCodeByte: 'kept/code',
      handles: 'handles',
      collected: 'old instances collected',
    },
    params: {
      cases: CASES,
      warmupReloads: WARMUP_RELOADS,
      reloads: RELOADS,
      helperModules: HELPERS,
      modulesPerReload: MODULES_PER_RELOAD,
      payloadBytes: 1024 * 1024,
    },
    notes: [
      "ms: the result's durationMs (load, validate, stop, start, first health check, dependents); wall: the call, audit write included.",
      "SQL, writes: statements per reload (BEGIN/COMMIT included), counted from the manager's debug log.",
      'heap+buf: growth of heapUsed + arrayBuffers per reload after a full GC; RSS likewise. code: bytes of the service file and its',
      'helpers, which every reload evaluates afresh (checked); kept/code: heap+buf kept per reload ÷ those bytes.',
      'handles: active resources (process.getActiveResourcesInfo) after the runs against after the warm-up, which were:',
      ...handleNotes.map((line) => `  ${line}`),
      'old instances collected: WeakRefs to every replaced instance (service and restarted dependents) cleared after a full GC.',
      'After each case the manager is shut down and the active resources must be those from before its start.',
    ],
  });
  const problems = Object.entries(logged.problems);
  if (problems.length > 0) {
    console.log(`\nlogged by the managers: ${problems.map(([key, n]) => `${key} ×${n}`).join('; ')}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(
    `\nreload: ${failures.length} check(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
  );
  // A leaked timer or socket would keep the process alive.
  process.exit(1);
}
