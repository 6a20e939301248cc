// @ts-check
/**
 * One bot process for the multi-process tests and the sync benchmark: a `ServiceRegistryManager` of the
 * BUILT `@servicedeck/core` (packages/core/dist) with three services — `db`, `cache` (needs db) and `api`
 * (needs cache), and any independent ones named in `extraServices` — driven by a line-based JSON protocol.
 *
 *   node instance-child.mjs '{"url":"postgres://…","instanceId":"shard-0","root":"/tmp/x","sync":{…}}'
 *
 * stdin, one JSON object a line:
 *   {"seq":1,"op":"enable","id":"api","withDependencies":true}
 *   {"seq":2,"op":"disable","id":"db","cascade":true}
 *   {"seq":3,"op":"state"}     → services (enabled, running, status, enable/disable calls), instances
 *   {"seq":4,"op":"resync"}    → the revision reached
 *   {"seq":5,"op":"stop"}      → shuts the manager down; the process then exits by itself
 * stdout, one JSON object a line:
 *   {"reply":1,"ok":true,"at":…,…} or {"reply":1,"ok":false,"error":{"code","message"}}
 *   {"event":"ready",…state}   once started
 *   {"event":"service","id":"db","action":"enable"|"disable","at":…,"anomaly":…}
 *     whenever a service's enable() or disable() is called; `anomaly` is set when it was called on a
 *     service already in that state (a duplicate call).
 *   {"event":"fatal","message":…}
 * Every `at` is wall-clock milliseconds with sub-millisecond precision (performance.timeOrigin +
 * performance.now()), comparable between processes of one machine.
 *
 * Only public APIs of core are used.
 */
import { createInterface } from 'node:readline';
import { BaseService, createLogger, ServiceRegistryManager } from '@servicedeck/core';

/** @typedef {{ url: string, instanceId: string, root: string, sync?: Record<string, unknown>, logLevel?: string, extraServices?: string[] }} ChildOptions */

/** @type {ChildOptions} */
const options = JSON.parse(process.argv[2] ?? '{}');

/** Wall-clock milliseconds, sub-millisecond. */
const now = () => performance.timeOrigin + performance.now();

/** @param {Record<string, unknown>} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** A service that only records its lifecycle calls. */
class TrackedService extends BaseService {
  live = false;
  enables = 0;
  disables = 0;
  /** Calls that found the service already in the state asked for. */
  anomalies = 0;

  healthCheck() {
    return /** @type {const} */ ('active');
  }

  /** @param {'enable' | 'disable'} action */
  record(action) {
    const at = now();
    const duplicate = this.live === (action === 'enable');
    if (duplicate) this.anomalies += 1;
    this.live = action === 'enable';
    if (action === 'enable') this.enables += 1;
    else this.disables += 1;
    const { id } = this.getMetadata();
    send({
      event: 'service',
      id,
      action,
      at,
      ...(duplicate ? { anomaly: `${action}() called on a service already ${action}d` } : {}),
    });
  }

  /** @override */
  enable() {
    this.record('enable');
  }

  /** @override */
  disable() {
    this.record('disable');
  }
}

class DbService extends TrackedService {
  static SERVICE_METADATA = { id: 'db', name: 'Database', type: 'internal' };
}
class CacheService extends TrackedService {
  static SERVICE_METADATA = { id: 'cache', name: 'Cache', type: 'internal', dependencies: ['db'] };
}
class ApiService extends TrackedService {
  static SERVICE_METADATA = { id: 'api', name: 'API', type: 'wrapper', dependencies: ['cache'] };
}

/** Services without dependencies, named in the options (`"extraServices": ["mail"]`). */
const extras = (options.extraServices ?? []).map((id) => {
  class ExtraService extends TrackedService {
    static SERVICE_METADATA = { id, name: id, type: 'internal' };
  }
  return new ExtraService();
});

const services = [new DbService(), new CacheService(), new ApiService(), ...extras];
const manager = new ServiceRegistryManager({
  database: { url: options.url },
  discovery: { root: options.root },
  instanceId: options.instanceId,
  processHealth: false,
  health: { schedule: false },
  config: { env: {}, cwd: options.root },
  ...(options.sync ? { sync: options.sync } : {}),
  ...(options.logLevel
    ? {
        logger: createLogger({
          level: /** @type {import('@servicedeck/core').LogLevel} */ (options.logLevel),
          sink: (record) => process.stderr.write(`${JSON.stringify(record)}\n`),
        }),
      }
    : {}),
});
for (const service of services) manager.registerService(service);

/** What this process knows: desired state, live instances, call counts, and the instances table. */
async function state() {
  const summaries = await manager.listServices();
  /** @type {Record<string, unknown>} */
  const byId = {};
  for (const summary of summaries) {
    const service = services.find((s) => s.getMetadata().id === summary.id);
    byId[summary.id] = {
      enabled: manager.isEnabled(summary.id),
      running: summary.running,
      status: summary.status,
      enables: service?.enables ?? 0,
      disables: service?.disables ?? 0,
      anomalies: service?.anomalies ?? 0,
    };
  }
  const instances = await manager.listInstances();
  const self = instances.find((i) => i.self);
  return {
    instanceId: manager.instanceId,
    pid: process.pid,
    services: byId,
    lastRevision: self?.lastRevision ?? null,
    instances: instances.map((i) => ({ id: i.id, pid: i.pid, state: i.state, lastRevision: i.lastRevision })),
  };
}

const actor = { actor: `e2e:${options.instanceId}`, adapter: 'cli' };

/**
 * @param {{ op: string, id?: string, cascade?: boolean, withDependencies?: boolean }} command
 * @returns {Promise<Record<string, unknown>>}
 */
async function handle(command) {
  switch (command.op) {
    case 'enable': {
      const result = await manager.enableService(String(command.id), {
        ...actor,
        withDependencies: command.withDependencies ?? false,
      });
      return { at: now(), steps: result.plan.steps.length, outcomes: result.outcomes.map((o) => o.result) };
    }
    case 'disable': {
      const result = await manager.disableService(String(command.id), {
        ...actor,
        cascade: command.cascade ?? false,
      });
      return { at: now(), steps: result.plan.steps.length, outcomes: result.outcomes.map((o) => o.result) };
    }
    case 'state':
      return state();
    case 'resync':
      return { revision: await manager.resync() };
    case 'stop':
      await manager.shutdown();
      return {};
    default:
      throw new Error(`unknown op ${JSON.stringify(command.op)}`);
  }
}

let stopping = false;
const started = manager.start().then(
  async () => send({ event: 'ready', ...(await state()) }),
  (error) => {
    const e =
      /** @type {{ name?: string, message?: string, stack?: string, sql?: string, fields?: unknown, parent?: { message?: string, detail?: string } }} */ (
        error
      );
    send({
      event: 'fatal',
      message: e?.message ?? String(error),
      // Enough to tell a database error from another (Sequelize's messages say little).
      detail: {
        name: e?.name,
        sql: e?.sql,
        fields: e?.fields,
        cause: e?.parent?.message,
        pgDetail: e?.parent?.detail,
        stack: e?.stack,
      },
    });
    process.exit(1);
  },
);
// Commands run one at a time, in the order they arrive, once the manager is running.
let queue = started;
const lines = createInterface({ input: process.stdin });

lines.on('line', (line) => {
  if (line.trim() === '') return;
  queue = queue.then(async () => {
    /** @type {{ seq?: number, op: string }} */
    let command;
    try {
      command = JSON.parse(line);
    } catch {
      send({ reply: null, ok: false, error: { message: `not JSON: ${line}` } });
      return;
    }
    try {
      const result = await handle(command);
      send({ reply: command.seq ?? null, ok: true, ...result });
    } catch (error) {
      const e = /** @type {{ code?: string, message?: string }} */ (error);
      send({ reply: command.seq ?? null, ok: false, error: { code: e.code ?? null, message: e.message } });
    }
    if (command.op === 'stop') {
      stopping = true;
      lines.close();
      process.stdin.destroy();
    }
  });
});

// The parent closing stdin (or dying) stops this process too.
lines.on('close', () => {
  if (stopping) return;
  stopping = true;
  queue = queue.then(() => manager.shutdown().catch(() => undefined));
});
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    void manager
      .shutdown()
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}
