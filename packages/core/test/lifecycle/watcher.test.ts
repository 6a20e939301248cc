import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/databases.js';
import type { ReloadResult } from '../../src/lifecycle/reload.js';
import { ServiceWatcher } from '../../src/lifecycle/watcher.js';
import { ServiceRegistryManager } from '../../src/manager.js';
import type { ServiceInterface } from '../../src/types.js';
import { createReloadableHost, type ReloadableHost, serviceModule } from '../support/reloadable.js';

interface Greeter extends ServiceInterface {
  greet(): string;
}

describe('ServiceWatcher', () => {
  let testDb: TestDatabase | undefined;
  let manager: ServiceRegistryManager | undefined;
  let watcher: ServiceWatcher | undefined;
  afterEach(async () => {
    await watcher?.stop();
    if (manager?.state === 'running') await manager.shutdown();
    await testDb?.cleanup();
    watcher = undefined;
    manager = undefined;
    testDb = undefined;
  });

  async function watching(): Promise<{ host: ReloadableHost; results: ReloadResult[] }> {
    testDb = await createTestDatabase('sqlite');
    const host = await createReloadableHost(testDb.dir, [
      { id: 'alpha', greeting: 'alpha 1' },
      { id: 'beta', greeting: 'beta 1' },
    ]);
    manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: host.root, serviceGlobs: [host.glob] },
      processHealth: false,
      health: { schedule: false },
      sync: { enabled: false },
    });
    await manager.start();
    watcher = new ServiceWatcher(manager, { debounceMs: 400 });
    const results: ReloadResult[] = [];
    watcher.events.on('reload', (result) => results.push(result));
    await watcher.start();
    return { host, results };
  }

  it('GIVEN several rapid writes of a service file THEN the service is reloaded once, with the last content', async () => {
    const { host, results } = await watching();
    expect(watcher?.watching).toEqual([path.join(host.root, 'services')]);

    for (let i = 2; i <= 6; i += 1) {
      await host.write({ id: 'alpha', version: `1.0.${i}`, greeting: `alpha ${i}` });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    await watcher?.idle();

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ serviceId: 'alpha', result: 'ok', version: '1.0.6' });
    expect(manager?.getService<Greeter>('alpha').greet()).toBe('alpha 6');
    expect(manager?.getService<Greeter>('beta').greet()).toBe('beta 1');
    const audit = await manager?.auditLog({ action: 'reload' });
    expect(audit?.map((e) => `${e.actor}/${e.adapter}:${e.serviceId}`)).toEqual(['watch/cli:alpha']);
  });

  it('GIVEN files saved atomically (written beside and renamed over) THEN every save is seen, and so is a directory created later', async () => {
    const { host, results } = await watching();
    const save = async (text: string) => {
      const temporary = path.join(host.root, 'services', '.alpha.tmp');
      await writeFile(temporary, text);
      await rename(temporary, host.file('alpha'));
    };
    await save(serviceModule({ id: 'alpha', version: '2.0.0', greeting: 'alpha 2' }));
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    await watcher?.idle();
    await save(serviceModule({ id: 'alpha', version: '3.0.0', greeting: 'alpha 3' }));
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(2);
    expect(results.map((r) => r.version)).toEqual(['2.0.0', '3.0.0']);
    expect(manager?.getService<Greeter>('alpha').greet()).toBe('alpha 3');

    await mkdir(path.join(host.root, 'services', 'lib'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await writeFile(path.join(host.root, 'services', 'lib', 'shared.mjs'), 'export const shared = 1;\n');
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(4);
    expect(
      results
        .slice(2)
        .map((r) => r.serviceId)
        .sort(),
    ).toEqual(['alpha', 'beta']);
  });

  it('GIVEN a file written again with the same content THEN nothing is reloaded', async () => {
    const { host, results } = await watching();
    await host.write({ id: 'beta', greeting: 'beta 1' });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await watcher?.idle();
    expect(results).toEqual([]);
  });

  it('GIVEN a broken write THEN the reload fails and the old code serves, and the fix that follows is reloaded', async () => {
    const { host, results } = await watching();
    await writeFile(host.file('beta'), serviceModule({ id: 'beta', append: 'export const = ;' }));
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    expect(results[0]).toMatchObject({ serviceId: 'beta', result: 'failed', stage: 'load' });
    expect(manager?.getService<Greeter>('beta').greet()).toBe('beta 1');

    await host.write({ id: 'beta', version: '2.0.0', greeting: 'beta 2' });
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(2);
    expect(results[1]).toMatchObject({ serviceId: 'beta', result: 'ok', version: '2.0.0' });
    expect(manager?.getService<Greeter>('beta').greet()).toBe('beta 2');
  });

  it('GIVEN a helper module beside the services changes THEN every service of that directory is reloaded once', async () => {
    const { host, results } = await watching();
    await writeFile(path.join(host.root, 'services', 'shared.mjs'), 'export const shared = 2;\n');
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(2);
    await watcher?.idle();
    expect(results.map((r) => `${r.serviceId}:${r.result}`).sort()).toEqual(['alpha:ok', 'beta:ok']);
  });

  it('GIVEN a plugin installed in node_modules THEN a change to its files reloads its service', async () => {
    testDb = await createTestDatabase('sqlite');
    const root = testDb.dir;
    const plugin = path.join(root, 'node_modules', 'sd-plugin-plain');
    await mkdir(path.join(plugin, 'dist'), { recursive: true });
    await writeFile(
      path.join(root, 'package.json'),
      JSON.stringify({ name: 'bot', type: 'module', dependencies: { 'sd-plugin-plain': '1.0.0' } }),
    );
    await writeFile(
      path.join(plugin, 'package.json'),
      JSON.stringify({
        name: 'sd-plugin-plain',
        version: '1.0.0',
        type: 'module',
        servicedeck: { services: ['dist/*.service.js'] },
      }),
    );
    const plain = (
      greeting: string,
    ) => `export const SERVICE_METADATA = { id: 'plain', name: 'Plain', type: 'internal' };
export default class Plain {
  healthCheck() { return 'active'; }
  getMetadata() { return SERVICE_METADATA; }
  enable() {}
  disable() {}
  getConfig() { return {}; }
  updateConfig() {}
  greet() { return ${JSON.stringify(greeting)}; }
}
`;
    await writeFile(path.join(plugin, 'dist', 'plain.service.js'), plain('one'));
    manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root },
      processHealth: false,
      health: { schedule: false },
      sync: { enabled: false },
    });
    await manager.start();
    watcher = new ServiceWatcher(manager, { debounceMs: 200 });
    const results: ReloadResult[] = [];
    watcher.events.on('reload', (result) => results.push(result));
    await watcher.start();
    expect(watcher.watching).toEqual([path.join(plugin, 'dist')]);

    await writeFile(path.join(plugin, 'dist', 'plain.service.js'), plain('two'));
    await expect.poll(() => results.length, { timeout: 10_000 }).toBe(1);
    expect(results[0]).toMatchObject({ serviceId: 'plain', result: 'ok' });
    expect(manager.getService<Greeter>('plain').greet()).toBe('two');
  });

  it('GIVEN the watcher is stopped THEN later changes reload nothing', async () => {
    const { host, results } = await watching();
    await watcher?.stop();
    await host.write({ id: 'alpha', version: '9.0.0', greeting: 'alpha 9' });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(results).toEqual([]);
    expect(manager?.getService<Greeter>('alpha').greet()).toBe('alpha 1');
  });
});
