// @ts-check
/**
 * How fast a change made in one bot process reaches the others: 1 writer and 3 followers, each a manager
 * in its own process (`lib/sync-instance.mjs`) sharing one database, toggling one service.
 *
 * - PostgreSQL (LISTEN/NOTIFY): 1,000 sequential toggles, each waiting until every follower applied it;
 *   latency from the writer's `enableService`/`disableService` returning to the follower's service
 *   `enable()`/`disable()` being called. Target p99 < 50 ms.
 * - PostgreSQL, listener killed: a follower's LISTEN connection is terminated (pg_terminate_backend),
 *   a toggle is made, and the time until that follower applied it is measured (it reconnects with
 *   backoff and resyncs), with the default `reconnectMinMs` (250) and with 100.
 * - SQLite with the default 500 ms revision poll, 50 toggles, for comparison.
 *
 *   node sync-propagation.bench.mjs
 *
 * PostgreSQL: SERVICEDECK_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test, a user who may
 * create databases); the benchmark creates and drops `servicedeck_bench_sync` there.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { report } from './lib/report.mjs';
import { round } from './lib/stats.mjs';

const ADMIN_URL = process.env.SERVICEDECK_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BENCH_DB = 'servicedeck_bench_sync';
const FOLLOWERS = 3;
const PG_WARMUP = 20;
const PG_TOGGLES = 1_000;
const KILL_TRIALS = 10;
const SQLITE_WARMUP = 2;
const SQLITE_TOGGLES = 50;
/** The followers' revision poll on SQLite: core's default. */
const SQLITE_POLL_MS = 500;
/** Milliseconds a toggle may take to reach every follower before it counts as lost. */
const APPLY_TIMEOUT_MS = 10_000;
const TARGET_P99_MS = 50;

const CHILD = fileURLToPath(new URL('./lib/sync-instance.mjs', import.meta.url));
// pg as core itself loads it (core's own dependency), so no dependency of the benchmarks' own.
/**
 * The little of pg used here (the benchmarks have no @types/pg).
 *
 * @typedef {{
 *   connect(): Promise<void>,
 *   end(): Promise<void>,
 *   query(sql: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>,
 * }} PgClient
 */
/** @type {{ Client: new (options: { connectionString: string }) => PgClient }} */
const pg = createRequire(fileURLToPath(import.meta.resolve('@servicedeck/core')))('pg');

/**
 * @typedef {{ action: 'enable' | 'disable', at: number, duplicate: boolean }} Applied
 * @typedef {{ reply: number, ok: boolean, at: number, error?: string }} Reply
 */

/** One bot process. */
class Instance {
  /**
   * @param {string} name
   * @param {{ url: string, root: string, sync?: Record<string, unknown> }} options
   */
  constructor(name, options) {
    this.name = name;
    /** @type {Applied[]} */
    this.applied = [];
    /** @type {Set<() => void>} */
    this.waiters = new Set();
    /** @type {Map<number, (reply: Reply) => void>} */
    this.pending = new Map();
    this.seq = 0;
    this.stderr = '';
    this.child = spawn(process.execPath, [CHILD, JSON.stringify({ ...options, instanceId: name })], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr?.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
    /** @type {Promise<void>} */
    this.ready = new Promise((resolve, reject) => {
      createInterface({ input: /** @type {import('node:stream').Readable} */ (this.child.stdout) }).on(
        'line',
        (line) => {
          const message = JSON.parse(line);
          if (message.event === 'applied') {
            this.applied.push(message);
            for (const wake of this.waiters) wake();
          } else if (message.event === 'ready') resolve();
          else if (message.event === 'fatal') reject(new Error(`${name}: ${message.message}`));
          else if ('reply' in message) this.pending.get(message.reply)?.(message);
        },
      );
      void this.exited.then((code) => reject(new Error(`${name} exited (${code}): ${this.stderr}`)));
    });
  }

  /**
   * @param {'enable' | 'disable' | 'stop'} op
   * @returns {Promise<Reply>}
   */
  async request(op) {
    const seq = ++this.seq;
    const reply = /** @type {Promise<Reply>} */ (
      new Promise((resolve) => {
        this.pending.set(seq, resolve);
      })
    );
    this.child.stdin?.write(`${JSON.stringify({ seq, op })}\n`);
    const result = await reply;
    this.pending.delete(seq);
    if (!result.ok) throw new Error(`${this.name} ${op}: ${result.error}`);
    return result;
  }

  /**
   * The `index`-th lifecycle call of the service (0-based), when it happens.
   *
   * @param {number} index
   * @param {number} timeoutMs
   * @returns {Promise<Applied | undefined>} undefined on timeout.
   */
  appliedAt(index, timeoutMs) {
    if (this.applied[index]) return Promise.resolve(this.applied[index]);
    return new Promise((resolve) => {
      const check = () => {
        const found = this.applied[index];
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Shuts the manager down and waits until the process exits by itself. */
  async stop() {
    if (this.child.exitCode !== null) return;
    await this.request('stop');
    this.child.stdin?.end();
    await this.exited;
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * Nearest-rank percentile.
 *
 * @param {readonly number[]} values
 * @param {number} p
 */
function percentile(values, p) {
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * A table row of latency figures.
 *
 * @param {string} label
 * @param {readonly number[]} values
 * @param {Record<string, unknown>} [extra]
 */
function latencyRow(label, values, extra = {}) {
  if (values.length === 0) return { case: label, samples: 0, ...extra };
  return {
    case: label,
    samples: values.length,
    p50: round(percentile(values, 50), 2),
    p95: round(percentile(values, 95), 2),
    p99: round(percentile(values, 99), 2),
    max: round(Math.max(...values), 2),
    min: round(Math.min(...values), 2),
    ...extra,
  };
}

/**
 * Starts a writer, then the followers (after the writer: it creates the catalog, and processes starting
 * at once on an empty PostgreSQL database race on it).
 *
 * @param {string} url
 * @param {string} root
 * @param {Record<string, unknown>} [sync]
 * @param {Instance[]} all - every process started, to stop or kill at the end.
 */
async function startGroup(url, root, all, sync) {
  const writer = new Instance('writer', { url, root, sync });
  all.push(writer);
  await writer.ready;
  const followers = Array.from(
    { length: FOLLOWERS },
    (_, i) => new Instance(`follower-${i + 1}`, { url, root, sync }),
  );
  all.push(...followers);
  await Promise.all(followers.map((f) => f.ready));
  return { writer, followers };
}

/**
 * Toggles the service `count` times from the writer, each time waiting until every follower applied it.
 *
 * @param {Instance} writer
 * @param {Instance[]} followers
 * @param {number} count
 * @param {number} [jitterMs] - waits a random 0…jitterMs before each toggle. With polling followers a
 *   toggle made right after the last one was applied would fall at the same point of every poll period
 *   (just after a poll), so every sample would be a near-full period; a random start samples the period
 *   uniformly, as changes made by people do.
 */
async function toggles(writer, followers, count, jitterMs = 0) {
  /** @type {number[]} */ const perFollower = [];
  /** @type {number[]} */ const allFollowers = [];
  /** @type {number[]} */ const fromWriterApply = [];
  let lost = 0;
  let negative = 0;
  for (let i = 0; i < count; i++) {
    if (jitterMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * jitterMs));
    const op = writer.applied.at(-1)?.action === 'enable' ? 'disable' : 'enable';
    const index = followers.map((f) => f.applied.length);
    const writerIndex = writer.applied.length;
    const { at: committed } = await writer.request(op);
    const ownApply = writer.applied[writerIndex];
    const applied = await Promise.all(followers.map((f, k) => f.appliedAt(index[k] ?? 0, APPLY_TIMEOUT_MS)));
    let slowest = Number.NEGATIVE_INFINITY;
    for (const event of applied) {
      if (!event || event.action !== op) {
        lost += 1;
        continue;
      }
      const latency = event.at - committed;
      if (latency < 0) negative += 1;
      perFollower.push(latency);
      if (ownApply) fromWriterApply.push(event.at - ownApply.at);
      slowest = Math.max(slowest, latency);
    }
    if (applied.every((event) => event?.action === op)) allFollowers.push(slowest);
  }
  return { perFollower, allFollowers, fromWriterApply, lost, negative };
}

/** @param {Instance[]} instances */
function duplicates(instances) {
  return instances.reduce((sum, instance) => sum + instance.applied.filter((a) => a.duplicate).length, 0);
}

/**
 * @param {PgClient} admin
 * @returns {Promise<number[]>} backend pids of the change listeners connected to the bench database.
 */
async function listeners(admin) {
  const { rows } = await admin.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query = 'LISTEN servicedeck_changes'`,
    [BENCH_DB],
  );
  return rows.map((row) => Number(row.pid));
}

/**
 * @param {() => Promise<boolean>} condition
 * @param {number} timeoutMs
 */
async function until(condition, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Starts one follower with `sync`, and repeatedly kills its listener, toggles, and measures how long it
 * takes until it applied the toggle.
 *
 * @param {PgClient} admin
 * @param {Instance} writer
 * @param {string} url
 * @param {string} root
 * @param {Instance[]} all
 * @param {string} name
 * @param {Record<string, unknown>} sync
 */
async function killedListener(admin, writer, url, root, all, name, sync) {
  const known = new Set(await listeners(admin));
  const victim = new Instance(name, { url, root, sync });
  all.push(victim);
  await victim.ready;
  let [pid] = (await listeners(admin)).filter((p) => !known.has(p));
  if (pid === undefined) throw new Error(`${name}: its listener was not found in pg_stat_activity`);
  /** @type {number[]} */ const fromToggle = [];
  /** @type {number[]} */ const fromKill = [];
  let lost = 0;
  for (let trial = 0; trial < KILL_TRIALS; trial++) {
    const before = new Set(await listeners(admin));
    const index = victim.applied.length;
    const killedAt = performance.timeOrigin + performance.now();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // The notification of this toggle is lost for the victim: it applies it after reconnecting.
    const op = writer.applied.at(-1)?.action === 'enable' ? 'disable' : 'enable';
    const { at: committed } = await writer.request(op);
    const event = await victim.appliedAt(index, APPLY_TIMEOUT_MS);
    if (!event || event.action !== op) lost += 1;
    else {
      fromToggle.push(event.at - committed);
      fromKill.push(event.at - killedAt);
    }
    // Its new listener, for the next trial.
    /** @type {number | undefined} */
    let next;
    await until(async () => {
      next = (await listeners(admin)).find((p) => !before.has(p));
      return next !== undefined;
    }, APPLY_TIMEOUT_MS);
    pid = /** @type {number} */ (next);
    // Let the other followers catch up too before the next trial.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await victim.stop();
  return { fromToggle, fromKill, lost, duplicates: duplicates([victim]) };
}

/** @type {Instance[]} */
const all = [];
const admin = new pg.Client({ connectionString: ADMIN_URL });
const root = await mkdtemp(path.join(tmpdir(), 'servicedeck-bench-sync-'));
/** @type {Record<string, unknown>[]} */
const rows = [];
/** @type {string[]} */
const notes = [];
let pgAvailable = true;
try {
  try {
    await admin.connect();
  } catch (error) {
    pgAvailable = false;
    notes.push(`PostgreSQL at ${ADMIN_URL} unavailable (${/** @type {Error} */ (error).message}): skipped.`);
  }
  if (pgAvailable) {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${BENCH_DB}`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${BENCH_DB}`;
    const pgUrl = url.toString();

    console.log(`PostgreSQL: ${PG_TOGGLES} toggles, 1 writer + ${FOLLOWERS} followers…`);
    const { writer, followers } = await startGroup(pgUrl, root, all);
    await toggles(writer, followers, PG_WARMUP);
    const started = performance.now();
    const result = await toggles(writer, followers, PG_TOGGLES);
    const elapsedS = (performance.now() - started) / 1000;
    const p99 = result.perFollower.length > 0 ? percentile(result.perFollower, 99) : Number.POSITIVE_INFINITY;
    rows.push(
      latencyRow('postgres NOTIFY: writer returned → a follower applied', result.perFollower, {
        target: `p99 < ${TARGET_P99_MS} ms`,
        verdict: p99 < TARGET_P99_MS && result.lost === 0 ? 'met' : 'missed',
        lost: result.lost,
      }),
      latencyRow('postgres NOTIFY: writer returned → all 3 followers applied', result.allFollowers),
      latencyRow('postgres NOTIFY: writer applied → a follower applied', result.fromWriterApply),
    );
    notes.push(
      `PostgreSQL: ${PG_TOGGLES} toggles in ${elapsedS.toFixed(1)} s; ${result.lost} follower applications lost, ` +
        `${result.negative} applied before the writer's call returned (negative latency), ` +
        `${duplicates([writer, ...followers])} duplicate enable()/disable() calls.`,
    );

    // The victims below take the place of the third follower: 4 processes again.
    await followers[FOLLOWERS - 1]?.stop();
    console.log(`PostgreSQL: killed listener, ${KILL_TRIALS} trials each…`);
    for (const [label, sync] of /** @type {const} */ ([
      ['default (250)', {}],
      ['100', { reconnectMinMs: 100 }],
    ])) {
      const killed = await killedListener(admin, writer, pgUrl, root, all, `victim-${label}`, sync);
      rows.push(
        latencyRow(`postgres killed listener, reconnectMinMs ${label}: toggle → applied`, killed.fromToggle, {
          lost: killed.lost,
        }),
        latencyRow(`postgres killed listener, reconnectMinMs ${label}: kill → applied`, killed.fromKill),
      );
      if (killed.duplicates > 0) notes.push(`victim-${label}: ${killed.duplicates} duplicate calls.`);
    }
    for (const instance of all.splice(0)) await instance.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  }

  console.log(`SQLite: ${SQLITE_TOGGLES} toggles, default 500 ms poll…`);
  const sqliteUrl = `sqlite:${path.join(root, 'servicedeck.db')}`;
  const { writer, followers } = await startGroup(sqliteUrl, root, all);
  await toggles(writer, followers, SQLITE_WARMUP);
  const sqlite = await toggles(writer, followers, SQLITE_TOGGLES, SQLITE_POLL_MS);
  rows.push(
    latencyRow(`sqlite poll ${SQLITE_POLL_MS} ms: writer returned → a follower applied`, sqlite.perFollower, {
      lost: sqlite.lost,
    }),
    latencyRow(
      `sqlite poll ${SQLITE_POLL_MS} ms: writer returned → all 3 followers applied`,
      sqlite.allFollowers,
    ),
  );
  notes.push(
    `SQLite: ${sqlite.lost} follower applications lost, ${duplicates([writer, ...followers])} duplicate calls.`,
  );
  for (const instance of all.splice(0)) await instance.stop();

  await report({
    name: 'sync-propagation',
    title: `Change propagation between processes: 1 writer + ${FOLLOWERS} followers, milliseconds`,
    rows,
    columns: {
      case: 'case',
      samples: 'n',
      p50: 'p50',
      p95: 'p95',
      p99: 'p99',
      max: 'max',
      min: 'min',
      lost: 'lost',
      target: 'target',
      verdict: 'verdict',
    },
    params: {
      followers: FOLLOWERS,
      pgToggles: PG_TOGGLES,
      pgWarmup: PG_WARMUP,
      killTrials: KILL_TRIALS,
      sqliteToggles: SQLITE_TOGGLES,
      sqlitePollIntervalMs: SQLITE_POLL_MS,
      sqliteJitterMs: SQLITE_POLL_MS,
      targetP99Ms: TARGET_P99_MS,
      postgres: pgAvailable ? ADMIN_URL : null,
    },
    notes,
  });
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const instance of all) instance.kill();
  await Promise.all(all.map((instance) => instance.exited));
  if (pgAvailable) {
    await admin.query(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
  await rm(root, { recursive: true, force: true });
}
