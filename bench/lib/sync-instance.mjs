// @ts-check
/**
 * One bot process of the `sync-propagation` benchmark: a manager of the built core with one service,
 * `feature`, driven over stdin/stdout, one JSON object a line.
 *
 *   node sync-instance.mjs '{"url":"postgres://…","instanceId":"follower-1","root":"/tmp/x","sync":{…}}'
 *
 * In:  {"seq":1,"op":"enable"|"disable"|"stop"}
 * Out: {"event":"ready","pid":…}
 *      {"event":"applied","action":"enable"|"disable","at":…,"duplicate":bool}  when feature's enable() or
 *        disable() is called (`duplicate`: it already was in that state)
 *      {"reply":1,"ok":true,"at":…} where `at` is taken as soon as enableService/disableService returned
 * Every `at` is wall-clock milliseconds with sub-millisecond precision (performance.timeOrigin +
 * performance.now()), comparable between processes of one machine.
 */
import { createInterface } from 'node:readline';
import { ServiceRegistryManager } from '@servicedeck/core';

/** @type {{ url: string, instanceId: string, root: string, sync?: Record<string, unknown> }} */
const options = JSON.parse(process.argv[2] ?? '{}');

const now = () => performance.timeOrigin + performance.now();

/** @param {Record<string, unknown>} message */
function send(message) {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** The toggled service: reports every lifecycle call with its time. */
class FeatureService {
  static SERVICE_METADATA = /** @type {const} */ ({ id: 'feature', name: 'Feature', type: 'internal' });
  live = false;
  getMetadata() {
    return FeatureService.SERVICE_METADATA;
  }
  healthCheck() {
    return /** @type {const} */ ('active');
  }
  getConfig() {
    return {};
  }
  updateConfig() {}
  /** @param {'enable' | 'disable'} action */
  record(action) {
    const at = now();
    const duplicate = this.live === (action === 'enable');
    this.live = action === 'enable';
    send({ event: 'applied', action, at, duplicate });
  }
  enable() {
    this.record('enable');
  }
  disable() {
    this.record('disable');
  }
}

const manager = new ServiceRegistryManager({
  database: { url: options.url },
  discovery: { root: options.root },
  instanceId: options.instanceId,
  processHealth: false,
  health: { schedule: false },
  config: { env: {}, cwd: options.root },
  ...(options.sync ? { sync: options.sync } : {}),
});
manager.registerService(new FeatureService());

const actor = { actor: 'bench', adapter: 'bench' };
let queue = manager.start().then(
  () => send({ event: 'ready', pid: process.pid }),
  (error) => {
    send({ event: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.stdin.destroy();
  },
);

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  /** @type {{ seq: number, op: string }} */
  const command = JSON.parse(line);
  queue = queue.then(async () => {
    try {
      if (command.op === 'enable') await manager.enableService('feature', actor);
      else if (command.op === 'disable') await manager.disableService('feature', actor);
      else if (command.op === 'stop') await manager.shutdown();
      else throw new Error(`unknown op ${command.op}`);
      send({ reply: command.seq, ok: true, at: now() });
    } catch (error) {
      send({ reply: command.seq, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
    if (command.op === 'stop') lines.close();
  });
});
// No more commands: shut down (if still running) and let the process exit by itself.
lines.on('close', () => {
  queue = queue.then(async () => {
    if (manager.state === 'running') await manager.shutdown();
    process.stdin.destroy();
  });
});
