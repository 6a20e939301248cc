// @ts-check
/**
 * `manager.isEnabled(id)`, the gate adapters call on every command: lookups per second on a started
 * manager with 200 explicitly registered services (one in ten disabled), for known ids (hits) and unknown
 * ids (misses). A plain `Map#has` over the same ids runs in the same loop as a floor to compare with.
 *
 *   node is-enabled.bench.mjs
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ServiceRegistryManager } from '@servicedeck/core';
import { report } from './lib/report.mjs';
import { round, summarize } from './lib/stats.mjs';

const SERVICES = 200;
const WARMUP_MS = 500;
const ROUNDS = 10;
const ROUND_MS = 200;
const ALLOC_LOOKUPS = 10_000_000;

/** @param {number} i */
const serviceId = (i) => `bench-service-${i}`;

/** A service that does nothing: only the catalog and the lookup matter here. */
class NoopService {
  /** @param {import('@servicedeck/core').ServiceMetadataInput} metadata */
  constructor(metadata) {
    this.metadata = metadata;
  }
  healthCheck() {
    return /** @type {const} */ ('active');
  }
  getMetadata() {
    return this.metadata;
  }
  enable() {}
  disable() {}
  getConfig() {
    return {};
  }
  updateConfig() {}
}

/**
 * Calls `manager.isEnabled` `iterations` times over `ids`, cycling, and counts the `true` answers (which
 * also keeps the calls from being optimized away).
 *
 * @param {ServiceRegistryManager} manager
 * @param {readonly string[]} ids
 * @param {number} iterations
 */
function loopIsEnabled(manager, ids, iterations) {
  let enabled = 0;
  let j = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    if (manager.isEnabled(/** @type {string} */ (ids[j]))) enabled++;
    if (++j === ids.length) j = 0;
  }
  return { ns: Number(process.hrtime.bigint() - start), enabled };
}

/**
 * The same loop over a plain `Map#has`: the least a lookup can cost.
 *
 * @param {Map<string, boolean>} map
 * @param {readonly string[]} ids
 * @param {number} iterations
 */
function loopMapHas(map, ids, iterations) {
  let enabled = 0;
  let j = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    if (map.has(/** @type {string} */ (ids[j]))) enabled++;
    if (++j === ids.length) j = 0;
  }
  return { ns: Number(process.hrtime.bigint() - start), enabled };
}

const dir = await mkdtemp(path.join(tmpdir(), 'sd-bench-is-enabled-'));
const manager = new ServiceRegistryManager({
  database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
  discovery: { root: dir, scanDependencies: false },
});
try {
  for (let i = 0; i < SERVICES; i++) {
    const metadata = {
      id: serviceId(i),
      name: `Bench service ${i}`,
      type: /** @type {const} */ ('internal'),
      enabledByDefault: i % 10 !== 0,
    };
    manager.registerService(new NoopService(metadata), metadata);
  }
  await manager.start();

  // Ids built afresh, as a command handler gets them: equal strings, not the catalog's own objects.
  const hits = Array.from({ length: SERVICES }, (_, i) => serviceId(i));
  const misses = Array.from({ length: SERVICES }, (_, i) => `unknown-service-${i}`);
  const plainMap = new Map(Array.from({ length: SERVICES }, (_, i) => [serviceId(i), true]));
  const enabledHits = hits.filter((id) => manager.isEnabled(id)).length;

  const cases = [
    {
      name: 'isEnabled(known id)',
      run: (/** @type {number} */ n) => loopIsEnabled(manager, hits, n),
      expected: enabledHits / SERVICES,
    },
    {
      name: 'isEnabled(unknown id)',
      run: (/** @type {number} */ n) => loopIsEnabled(manager, misses, n),
      expected: 0,
    },
    {
      name: 'Map#has(known id), floor',
      run: (/** @type {number} */ n) => loopMapHas(plainMap, hits, n),
      expected: 1,
    },
  ];

  // Warm-up: lets the JIT optimize every case, and sizes the rounds to about ROUND_MS each.
  const iterations = cases.map((c) => {
    let n = 10_000;
    let elapsed = 0;
    const until = performance.now() + WARMUP_MS;
    while (performance.now() < until) {
      elapsed = c.run(n).ns;
      if (elapsed < 20e6) n *= 2;
    }
    return Math.max(SERVICES, Math.round((n * ROUND_MS * 1e6) / elapsed / SERVICES) * SERVICES);
  });

  // Rounds interleave the cases, so drift (CPU frequency, neighbours) spreads over all of them.
  /** @type {number[][]} */
  const nsPerOp = cases.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach((c, i) => {
      const n = /** @type {number} */ (iterations[i]);
      const { ns, enabled } = c.run(n);
      if (enabled !== Math.round(n * c.expected)) {
        throw new Error(`${c.name}: ${enabled} of ${n} lookups answered true; expected ${n * c.expected}`);
      }
      nsPerOp[i]?.push(ns / n);
    });
  }

  // Allocation: after a full GC, a run of ALLOC_LOOKUPS lookups; any garbage it made would show as heap
  // growth and, past the young generation's size, as garbage collections during the run.
  setFlagsFromString('--expose-gc');
  const gc = /** @type {() => void} */ (runInNewContext('gc'));
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const allocation = [];
  for (const c of cases) {
    gc();
    // The forced collection is reported asynchronously: let it arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 50));
    collections = 0;
    const before = process.memoryUsage().heapUsed;
    c.run(ALLOC_LOOKUPS);
    const grown = process.memoryUsage().heapUsed - before;
    await new Promise((resolve) => setTimeout(resolve, 50));
    allocation.push({ bytesPerLookup: round(Math.max(0, grown) / ALLOC_LOOKUPS, 4), collections });
  }
  observer.disconnect();

  const rows = cases.map((c, i) => {
    const stats = summarize(/** @type {number[]} */ (nsPerOp[i]));
    return {
      bytesPerLookup: allocation[i]?.bytesPerLookup,
      gcDuringAllocationRun: allocation[i]?.collections,
      case: c.name,
      opsPerSecMedian: Math.round(1e9 / stats.median),
      nsPerOpMedian: round(stats.median, 2),
      nsPerOpMin: round(stats.min, 2),
      nsPerOpMax: round(stats.max, 2),
      lookupsPerRound: iterations[i],
    };
  });
  await report({
    name: 'is-enabled',
    title: `manager.isEnabled(id): ${SERVICES} services (${enabledHits} enabled), median of ${ROUNDS} rounds of ~${ROUND_MS} ms`,
    rows,
    columns: {
      case: 'case',
      opsPerSecMedian: 'lookups/s (median)',
      nsPerOpMedian: 'ns/op (median)',
      nsPerOpMin: 'ns/op (min)',
      nsPerOpMax: 'ns/op (max)',
      bytesPerLookup: 'heap B/lookup',
      gcDuringAllocationRun: `GCs in ${ALLOC_LOOKUPS / 1e6}M lookups`,
    },
    params: {
      services: SERVICES,
      enabledServices: enabledHits,
      warmupMs: WARMUP_MS,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
    },
  });
} finally {
  await manager.shutdown().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
