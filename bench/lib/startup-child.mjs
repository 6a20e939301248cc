// @ts-check
/**
 * One measured start-up in a fresh process (so nothing is in the module cache), run by
 * discovery-startup.bench.mjs. Prints one JSON object on stdout.
 *
 *   node --expose-gc lib/startup-child.mjs discover <hostDir>
 *   node --expose-gc lib/startup-child.mjs start <hostDir> <sqliteFile>
 *
 * `discover` times `discoverServices({ root })`. `start` times `manager.start()` (split into discovery,
 * database open + catalog sync, and starting the services, from the manager's own log lines), the memory
 * in use after it, and `manager.shutdown()`, and counts the SQL statements of each.
 */
const [mode, root, dbFile] = process.argv.slice(2);
if (!root || (mode !== 'discover' && mode !== 'start') || (mode === 'start' && !dbFile)) {
  console.error('usage: startup-child.mjs discover <hostDir> | start <hostDir> <sqliteFile>');
  process.exit(2);
}

let t = performance.now();
const core = await import('@servicedeck/core');
const importMs = performance.now() - t;

/** @param {unknown} value */
const fail = (value) => {
  console.error(value);
  process.exit(1);
};

if (mode === 'discover') {
  t = performance.now();
  const result = await core.discoverServices({ root });
  const discoverMs = performance.now() - t;
  if (result.problems.length > 0) fail(result.problems.map((p) => p.error.message));
  console.log(JSON.stringify({ importMs, discoverMs, services: result.definitions.length }));
  process.exit(0);
}

/**
 * SQL statements by kind and table, e.g. `{ "INSERT change_log": 200 }`.
 *
 * @type {Record<string, number>}
 */
let sql = {};
/** @type {Record<string, number>} when each log message was first seen (performance.now()) */
const seen = {};
const logger = core.createLogger({
  level: 'debug',
  sink: (record) => {
    seen[record.message] ??= performance.now();
    if (record.message !== 'sql') return;
    // Sequelize logs "Executing (default): SELECT ... FROM `table` ..."
    const statement = String(record.fields.sql).replace(/^Executing \([^)]*\): /, '');
    const verb = (/^\w+/.exec(statement)?.[0] ?? '?').toUpperCase();
    const table = /(?:FROM|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?|ON)\s+[`"]?(\w+)/i.exec(statement)?.[1];
    const key = table ? `${verb} ${table}` : verb;
    sql[key] = (sql[key] ?? 0) + 1;
  },
});

/** @param {Record<string, number>} counts */
const writesOf = (counts) =>
  Object.entries(counts)
    .filter(([key]) => /^(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b/.test(key))
    .reduce((sum, [, n]) => sum + n, 0);
/** @param {Record<string, number>} counts */
const totalOf = (counts) => Object.values(counts).reduce((sum, n) => sum + n, 0);

const manager = new core.ServiceRegistryManager({
  database: { url: `sqlite:${dbFile}` },
  discovery: { root },
  logger,
});
const t0 = performance.now();
await manager.discoverServices();
const t1 = performance.now();
await manager.start();
const t2 = performance.now();
const startSql = sql;
sql = {};

const services = await manager.listServices();
const running = services.filter((s) => s.running).length;
if (manager.problems.length > 0 || running !== services.length) {
  fail({ running, services: services.length, problems: manager.problems.map((p) => p.error.message) });
}

const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
gc?.();
gc?.();
const memory = process.memoryUsage();

const t3 = performance.now();
await manager.shutdown();
const shutdownMs = performance.now() - t3;
const synced = seen['catalog synced'] ?? Number.NaN;

console.log(
  JSON.stringify({
    importMs,
    startMs: t2 - t0,
    phases: { discoveryMs: t1 - t0, databaseAndSyncMs: synced - t1, servicesMs: t2 - synced },
    shutdownMs,
    rssMB: memory.rss / 2 ** 20,
    heapUsedMB: memory.heapUsed / 2 ** 20,
    gcBeforeMemory: gc !== undefined,
    services: services.length,
    running,
    sql: {
      start: { total: totalOf(startSql), writes: writesOf(startSql), byStatement: startSql },
      shutdown: { total: totalOf(sql), writes: writesOf(sql), byStatement: sql },
    },
  }),
);
