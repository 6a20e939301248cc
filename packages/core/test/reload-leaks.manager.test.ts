import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/databases.js';
import { ServiceRegistryManager } from '../src/manager.js';
import type { ServiceInterface } from '../src/types.js';
import { createReloadableHost, type ServiceModuleSpec } from './support/reloadable.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A service that listens on a socket, holds a client connection to it, and runs a timer and an interval. */
function networked(version: number): ServiceModuleSpec {
  return {
    id: 'networked',
    version: `1.0.${version}`,
    greeting: `v${version}`,
    enableExtra: `
    const net = await import('node:net');
    this.payload = new Float64Array(131_072).fill(${version});
    this.server = net.createServer((socket) => { this.accepted = socket; });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.client = net.connect(this.server.address().port, '127.0.0.1');
    await new Promise((resolve) => this.client.once('connect', resolve));
    this.interval = setInterval(() => {}, 60_000);
    this.timeout = setTimeout(() => {}, 60_000);`,
    disableExtra: `
    clearInterval(this.interval);
    clearTimeout(this.timeout);
    this.client.destroy();
    this.accepted?.destroy();
    await new Promise((resolve) => this.server.close(resolve));`,
  };
}

/** Active handles by type (timers, TCP sockets and servers…). */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Bytes held by JavaScript objects and the buffers they own. */
function retained(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gc();
  }
}

describe('reloads and resources', () => {
  let testDb: TestDatabase | undefined;
  let manager: ServiceRegistryManager | undefined;
  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    await testDb?.cleanup();
  });

  it('GIVEN a service with sockets and timers WHEN it is reloaded 100 times THEN no socket or timer of an old instance remains, old instances are collected, and the heap grows by a bounded amount', async () => {
    testDb = await createTestDatabase('sqlite');
    const host = await createReloadableHost(testDb.dir, [networked(0)]);
    manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: host.root, serviceGlobs: [host.glob] },
      processHealth: false,
      health: { schedule: false },
      sync: { enabled: false },
    });
    await manager.start();
    const actor = { actor: 'leak-test', adapter: 'test' };
    // A first reload loads the hooks and warms the caches the later ones share.
    await host.write(networked(1));
    expect((await manager.reloadService('networked', actor)).result).toBe('ok');
    await settle();
    const baseline = resources();
    const heapBefore = retained();

    const old: WeakRef<ServiceInterface>[] = [];
    for (let version = 2; version <= 101; version += 1) {
      old.push(new WeakRef(manager.getService('networked')));
      await host.write(networked(version));
      const result = await manager.reloadService('networked', actor);
      expect(result.result).toBe('ok');
    }
    await settle();

    expect(manager.getService<ServiceInterface & { greet(): string }>('networked').greet()).toBe('v101');
    expect(resources()).toEqual(baseline);
    const alive = old.filter((ref) => ref.deref() !== undefined).length;
    expect(alive).toBe(0);
    const growthPerReload = (retained() - heapBefore) / 100;
    console.info(`heap growth per reload: ${(growthPerReload / 1024).toFixed(1)} KiB`);
    // Each reload keeps its module (Node cannot unload one, and the test runner keeps its transform too)
    // but no instance: far below the 1 MiB payload every instance holds.
    expect(growthPerReload).toBeLessThan(512 * 1024);
  });
});
