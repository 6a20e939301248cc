// @ts-check
/**
 * A dashboard in its own process for the web benchmarks: a started manager with `SERVICES` services (one
 * in ten failing), the web adapter listening on a free port, and an API token. It reports
 * `{ url, token }` over IPC, then answers `memory` (its memoryUsage) and `flip` (one service changes
 * status, which every live client is sent) messages.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServiceRegistryManager } from '@servicedeck/core';
import { WebDashboard } from '@servicedeck/web-adapter';

const count = Number(process.env.SERVICES ?? 1000);

class BenchService {
  /** @param {import('@servicedeck/core').ServiceMetadataInput} metadata @param {boolean} healthy */
  constructor(metadata, healthy) {
    this.metadata = metadata;
    this.healthy = healthy;
  }
  healthCheck() {
    if (!this.healthy) throw new Error('connection refused');
    return { status: /** @type {const} */ ('active'), message: 'ok' };
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

const dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-web-bench-'));
const manager = new ServiceRegistryManager({
  database: { url: `sqlite:${path.join(dir, 'bench.db')}` },
  discovery: { root: dir, scanDependencies: false },
  processHealth: false,
  health: { schedule: false, cacheTtlMs: 0 },
  sync: { enabled: false },
  config: { env: {}, cwd: dir },
});
/** @type {BenchService[]} */
const services = [];
for (let i = 0; i < count; i += 1) {
  const service = new BenchService(
    {
      id: `svc-${String(i).padStart(4, '0')}`,
      name: `Service ${i} of the benchmark catalog`,
      description: 'A service of a big bot.',
      type: i % 3 === 0 ? 'external' : 'internal',
      tags: i % 5 === 0 ? ['storage', 'core'] : ['misc'],
      healthCheck: { failureThreshold: 1, successThreshold: 1, intervalMs: 60_000, timeoutMs: 2_000 },
    },
    i % 10 !== 7,
  );
  services.push(service);
  manager.registerService(service);
}
await manager.start();
await manager.checkAllHealth({ fresh: true });
const web = new WebDashboard(manager, {
  port: 0,
  rateLimits: { api: 100_000_000 },
  eventCapacity: 10_000,
});
const url = await web.listen();
const { token } = await manager.createApiToken({
  actor: 'bench',
  adapter: 'bench',
  name: 'bench',
  scope: 'read',
});

const flipped = /** @type {BenchService} */ (services[0]);
process.on('message', async (/** @type {{ type: string, id?: number }} */ message) => {
  if (message.type === 'memory') {
    global.gc?.();
    process.send?.({
      type: 'memory',
      id: message.id,
      memory: process.memoryUsage(),
      clients: web.journal.connected,
    });
  } else if (message.type === 'flip') {
    flipped.healthy = !flipped.healthy;
    await manager.checkHealth(/** @type {string} */ (flipped.metadata.id), { fresh: true });
  } else if (message.type === 'stop') {
    await web.close();
    await manager.shutdown();
    process.exit(0);
  }
});
process.send?.({ type: 'ready', url, token });
