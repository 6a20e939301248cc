import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { BaseService } from '../src/base-service.js';
import { isServiceDeckError } from '../src/errors.js';
import { ServiceRegistryManager } from '../src/manager.js';
import type { ServiceInterface } from '../src/types.js';
import {
  createReloadableHost,
  type ReloadableHost,
  reloadLog,
  type ServiceModuleSpec,
  serviceModule,
} from './support/reloadable.js';

interface Greeter extends ServiceInterface {
  greet(): string;
  version: string;
  dependency(index?: number): Greeter;
  reloaded: string[];
}

const admin = { actor: 'alice', adapter: 'cli' };

describe.each(DIALECTS)('reloadService on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  async function start(
    services: readonly ServiceModuleSpec[],
    options: { mode?: 'run' | 'control'; poll?: boolean; host?: ReloadableHost; register?: boolean } = {},
  ): Promise<{ manager: ServiceRegistryManager; host: ReloadableHost }> {
    testDb ??= await createTestDatabase(dialect);
    const host = options.host ?? (await createReloadableHost(testDb.dir, services));
    const manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: host.root, serviceGlobs: [host.glob] },
      processHealth: options.register === true,
      health: { schedule: false },
      drainTimeoutMs: 2_000,
      ...(options.mode ? { mode: options.mode } : {}),
      sync: options.poll ? { pollIntervalMs: 50 } : { enabled: false },
    });
    managers.push(manager);
    await manager.start();
    return { manager, host };
  }

  it.skipIf(skip)(
    'GIVEN a changed implementation WHEN the service is reloaded THEN the new behaviour is served, and the reload is audited and catalogued',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      const before = manager.getService<Greeter>('greeter');
      expect(before.greet()).toBe('hello');

      await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });
      const result = await manager.reloadService('greeter', admin);

      expect(result).toMatchObject({
        serviceId: 'greeter',
        result: 'ok',
        applied: 'here',
        previousVersion: '1.0.0',
        version: '1.1.0',
        stage: null,
        error: null,
        rolledBack: false,
        running: true,
      });
      expect(result.revision).toBeGreaterThan(0);
      expect(manager.getService<Greeter>('greeter').greet()).toBe('bonjour');
      expect(manager.getServiceInfo('greeter').version).toBe('1.1.0');
      // The old instance was disabled.
      expect(() => before.greet()).toThrow(/used after disable/);
      const [entry] = await manager.auditLog({ action: 'reload' });
      expect(entry).toMatchObject({ actor: 'alice', serviceId: 'greeter', result: 'ok' });
      expect(entry?.details).toMatchObject({ previousVersion: '1.0.0', version: '1.1.0', applied: 'here' });
      const row = await manager.database.repos.registry.findByPk('greeter');
      expect(row?.version).toBe('1.1.0');
    },
  );

  it.skipIf(skip)(
    'GIVEN a syntax error in the new code THEN the reload fails at load and the old instance keeps serving',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      const before = manager.getService<Greeter>('greeter');
      await host.write({ id: 'greeter', version: '2.0.0', greeting: 'broken', append: 'export const = ;' });

      const result = await manager.reloadService('greeter', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'load', rolledBack: false, running: true });
      expect(result.version).toBe('1.0.0');
      expect(result.error?.code).toBe('SD_ERR_RELOAD_FAILED');
      expect(result.error?.message).toMatch(/failed while loading its code/);
      expect(result.error?.message).toMatch(/the previous version keeps running/);
      expect(manager.getService('greeter')).toBe(before);
      expect(before.greet()).toBe('hello');
      const [entry] = await manager.auditLog({ action: 'reload' });
      expect(entry).toMatchObject({ result: 'failed' });
      expect(entry?.details).toMatchObject({ stage: 'load' });
      expect(await manager.database.repos.registry.findByPk('greeter')).toMatchObject({ version: '1.0.0' });
    },
  );

  it.skipIf(skip)(
    'GIVEN a new version whose enable() throws THEN the reload fails at start and the previous code is started again',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      await host.write({ id: 'greeter', version: '2.0.0', greeting: 'never', enableThrows: 'port in use' });

      const result = await manager.reloadService('greeter', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'start', rolledBack: true, running: true });
      expect(result.error?.message).toMatch(/port in use/);
      const now = manager.getService<Greeter>('greeter');
      expect(now.greet()).toBe('hello');
      expect(now.version).toBe('1.0.0');
      expect(manager.getServiceInfo('greeter')).toMatchObject({ running: true, version: '1.0.0' });
    },
  );

  it.skipIf(skip)(
    'GIVEN the previous code cannot start again after a failed reload THEN the result says so and the service is in error',
    async () => {
      const { manager, host } = await start([
        {
          id: 'greeter',
          greeting: 'hello',
          enableExtra: "if (globalThis.__refuseRestart) throw new Error('port still held');",
        },
        { id: 'watcher', dependencies: ['greeter'], onDependencyReload: 'notify' },
      ]);
      await host.write({ id: 'greeter', version: '2.0.0', enableThrows: 'cannot bind' });
      (globalThis as { __refuseRestart?: boolean }).__refuseRestart = true;
      try {
        const result = await manager.reloadService('greeter', admin);
        expect(result).toMatchObject({ result: 'failed', stage: 'start', rolledBack: true, running: false });
        expect(result.status).toBe('error');
        expect(result.error?.message).toMatch(
          /failed to start: cannot bind; the previous version could not be started again \(.*port still held\)\. /,
        );
        // The dependent told to keep running would hold a stopped instance: it waits for greeter instead.
        expect(manager.getServiceInfo('watcher')).toMatchObject({ running: false, status: 'inactive' });
        expect(manager.getServiceInfo('watcher').statusMessage).toMatch(/^waiting for "greeter"/);
      } finally {
        delete (globalThis as { __refuseRestart?: boolean }).__refuseRestart;
      }
    },
  );

  it.skipIf(skip)(
    'GIVEN a new version that fails its first health check THEN the previous code is restored',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      await manager.checkHealth('greeter', { fresh: true });
      await host.write({ id: 'greeter', version: '2.0.0', greeting: 'sick', health: 'error' });

      const result = await manager.reloadService('greeter', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'health', rolledBack: true });
      expect(manager.getService<Greeter>('greeter').greet()).toBe('hello');
      expect((await manager.checkHealth('greeter', { fresh: true })).status).toBe('active');
    },
  );

  it.skipIf(skip)(
    'GIVEN a changed dependency list THEN a running new dependency is accepted, and a cycle, an unknown or a stopped dependency is refused',
    async () => {
      const { manager, host } = await start([
        { id: 'alpha' },
        { id: 'beta' },
        { id: 'gamma', dependencies: ['alpha'] },
      ]);
      await manager.disableService('beta', admin);

      await host.write({ id: 'alpha', version: '1.1.0', dependencies: ['gamma'] });
      const cycle = await manager.reloadService('alpha', admin);
      expect(cycle).toMatchObject({ result: 'failed', stage: 'validate' });
      expect(cycle.error?.message).toMatch(/cycle/i);

      await host.write({ id: 'alpha', version: '1.1.0', dependencies: ['nowhere'] });
      const unknown = await manager.reloadService('alpha', admin);
      expect(unknown).toMatchObject({ result: 'failed', stage: 'validate' });
      expect(unknown.error?.message).toMatch(/nowhere/);

      await host.write({ id: 'alpha', version: '1.1.0', dependencies: ['beta'] });
      const stopped = await manager.reloadService('alpha', admin);
      expect(stopped).toMatchObject({ result: 'failed', stage: 'validate', running: true });
      expect(stopped.error?.message).toMatch(/"beta".*start it first/);

      await manager.enableService('beta', admin);
      const accepted = await manager.reloadService('alpha', admin);
      expect(accepted).toMatchObject({ result: 'ok', version: '1.1.0' });
      expect(manager.getServiceInfo('alpha').dependencies).toEqual(['beta']);
      // The new dependency is now in the way of disabling beta.
      await expect(manager.disableService('beta', admin)).rejects.toMatchObject({
        code: 'SD_ERR_DEPENDENTS_ENABLED',
      });
      // gamma, restarted with the new alpha, holds the new instance.
      expect(manager.getService<Greeter>('gamma').dependency()).toBe(manager.getService('alpha'));
    },
  );

  it.skipIf(skip)(
    'GIVEN dependents THEN one is restarted with the new instance and one that asks to be notified is told',
    async () => {
      const { manager, host } = await start([
        { id: 'store', greeting: 'v1' },
        { id: 'restarted', dependencies: ['store'] },
        { id: 'notified', dependencies: ['store'], onDependencyReload: 'notify' },
        { id: 'downstream', dependencies: ['restarted'] },
      ]);
      const notifiedBefore = manager.getService<Greeter>('notified');
      const restartedBefore = manager.getService<Greeter>('restarted');
      await host.write({ id: 'store', version: '2.0.0', greeting: 'v2' });

      const result = await manager.reloadService('store', admin);

      expect(result.result).toBe('ok');
      expect(result.dependents).toEqual(
        expect.arrayContaining([
          { serviceId: 'restarted', action: 'restarted', result: 'ok', message: null },
          { serviceId: 'downstream', action: 'restarted', result: 'ok', message: null },
          { serviceId: 'notified', action: 'notified', result: 'ok', message: null },
        ]),
      );
      const store = manager.getService<Greeter>('store');
      const restarted = manager.getService<Greeter>('restarted');
      expect(restarted).not.toBe(restartedBefore);
      expect(restarted.dependency().greet()).toBe('v2');
      expect(manager.getService<Greeter>('downstream').dependency()).toBe(restarted);
      expect(manager.getService('notified')).toBe(notifiedBefore);
      expect(notifiedBefore.reloaded).toEqual(['store']);
      expect(notifiedBefore.dependency()).toBe(store);
    },
  );

  it.skipIf(skip)(
    'GIVEN a dependent that asks to be notified of a service restarted by the reload THEN it is given that service, not the reloaded one',
    async () => {
      const { manager, host } = await start([
        { id: 'store', greeting: 'v1' },
        { id: 'mid', dependencies: ['store'] },
        { id: 'leaf', dependencies: ['mid'], onDependencyReload: 'notify' },
      ]);
      const leaf = manager.getService<Greeter>('leaf');
      await host.write({ id: 'store', version: '2.0.0', greeting: 'v2' });

      const result = await manager.reloadService('store', admin);

      expect(result.result).toBe('ok');
      expect(manager.getService('leaf')).toBe(leaf);
      expect(leaf.reloaded).toEqual(['mid']);
      expect(leaf.dependency()).toBe(manager.getService('mid'));
      expect(leaf.dependency().dependency().greet()).toBe('v2');
    },
  );

  it.skipIf(skip)(
    "GIVEN a dependent's work in flight calling the reloaded service THEN it is served before the swap and the dependent is not stopped under it",
    async () => {
      const { manager, host } = await start([
        { id: 'store', greeting: 'v1' },
        { id: 'client', dependencies: ['store'] },
      ]);
      await host.write({ id: 'store', version: '2.0.0', greeting: 'v2' });
      let entered: () => void = () => undefined;
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const work = manager.withService<Greeter & { disabled: boolean }, [string, boolean]>(
        'client',
        async (client) => {
          entered();
          await new Promise((resolve) => setTimeout(resolve, 50));
          const answer = await manager.withService<Greeter, string>('store', (store) => store.greet());
          return [answer, client.disabled];
        },
      );
      await inside;
      const [result, [answer, clientDisabled]] = await Promise.all([
        manager.reloadService('store', admin),
        work,
      ]);

      expect(result.result).toBe('ok');
      expect(answer).toBe('v1');
      expect(clientDisabled).toBe(false);
    },
  );

  it.skipIf(skip)(
    "GIVEN the old instance's disable() fails THEN the new code still runs and the audit entry says the old one did not stop cleanly",
    async () => {
      const { manager, host } = await start([
        { id: 'greeter', greeting: 'hello', disableExtra: "throw new Error('socket stuck');" },
      ]);
      await host.write({ id: 'greeter', version: '2.0.0', greeting: 'bonjour' });

      const result = await manager.reloadService('greeter', admin);

      expect(result.result).toBe('ok');
      expect(manager.getService<Greeter>('greeter').greet()).toBe('bonjour');
      const [entry] = await manager.auditLog({ action: 'reload' });
      expect(entry?.details.previousDisableFailed).toMatch(/socket stuck/);
    },
  );

  it.skipIf(skip)(
    'GIVEN a dependent that cannot start with the new version THEN everything is restored as it was',
    async () => {
      const { manager, host } = await start([
        { id: 'store', greeting: 'v1' },
        {
          id: 'client',
          dependencies: ['store'],
          enableExtra:
            "if (this.dependency().version === '2.0.0') throw new Error('store v2 is not supported');",
        },
      ]);
      await host.write({ id: 'store', version: '2.0.0', greeting: 'v2' });

      const result = await manager.reloadService('store', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'dependents', rolledBack: true });
      expect(result.error?.message).toMatch(/"client".*not supported/);
      expect(manager.getService<Greeter>('store').greet()).toBe('v1');
      // client is started again, with the restored store.
      expect(manager.getService<Greeter>('client').dependency().greet()).toBe('v1');
    },
  );

  it.skipIf(skip)(
    'GIVEN health checks and commands running during a reload THEN those begun before the swap finish on the old instance, later ones wait for the new one, and none reaches a stopped instance',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      reloadLog().length = 0;
      await host.write({ id: 'greeter', version: '2.0.0', greeting: 'bonjour', enableDelayMs: 150 });
      const burst = () =>
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? manager.withService<Greeter, string>('greeter', async (service) => {
                await new Promise((resolve) => setTimeout(resolve, 20));
                return service.greet();
              })
            : manager.checkHealth('greeter', { fresh: true }).then((record) => record.status),
        );

      const reload = manager.reloadService('greeter', admin);
      const early = burst();
      // Once the old instance is stopped, the new one is still enabling (150 ms).
      await vi.waitFor(() => expect(reloadLog()).toContain('disable: greeter@1.0.0'));
      const late = burst();
      const [result, earlyAnswers, lateAnswers] = await Promise.all([
        reload,
        Promise.all(early),
        Promise.all(late),
      ]);

      expect(result.result).toBe('ok');
      expect(earlyAnswers.filter((a) => a !== 'active')).toEqual(Array(10).fill('hello'));
      expect(lateAnswers.filter((a) => a !== 'active')).toEqual(Array(10).fill('bonjour'));
      expect(lateAnswers.filter((a) => a === 'active')).toHaveLength(10);
      expect(reloadLog().filter((line) => line.startsWith('check after disable'))).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a disabled service THEN a reload loads and checks its new code, which runs when it is enabled',
    async () => {
      const { manager, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      await manager.disableService('greeter', admin);
      await host.write({ id: 'greeter', version: '1.5.0', greeting: 'hola' });

      const result = await manager.reloadService('greeter', admin);
      expect(result).toMatchObject({ result: 'ok', running: false, version: '1.5.0' });

      await manager.enableService('greeter', admin);
      expect(manager.getService<Greeter>('greeter').greet()).toBe('hola');
    },
  );

  it.skipIf(skip)(
    'GIVEN a service registered in code or built in, or an unknown id THEN the reload is refused with what to do',
    async () => {
      testDb = await createTestDatabase(dialect);
      const host = await createReloadableHost(testDb.dir, [{ id: 'greeter' }]);
      const manager = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: host.root, serviceGlobs: [host.glob] },
        health: { schedule: false },
        sync: { enabled: false },
      });
      class Registered extends BaseService {
        public override getMetadata() {
          return { id: 'registered', name: 'Registered', type: 'internal' as const } as never;
        }
        public healthCheck() {
          return 'active' as const;
        }
      }
      manager.registerService(new Registered());
      managers.push(manager);
      await manager.start();

      for (const id of ['registered', 'process']) {
        const error = await manager.reloadService(id, admin).catch((e: unknown) => e);
        expect(isServiceDeckError(error, 'SD_ERR_RELOAD_UNSUPPORTED')).toBe(true);
        expect((error as Error).message).toMatch(/Restart the bot/);
      }
      await expect(manager.reloadService('nope', admin)).rejects.toMatchObject({
        code: 'SD_ERR_SERVICE_NOT_FOUND',
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN two processes and the CLI WHEN one reloads THEN the other reloads too, and a reload recorded by the CLI reaches both',
    async () => {
      const { manager: first, host } = await start([{ id: 'greeter', greeting: 'hello' }], { poll: true });
      const { manager: second } = await start([], { poll: true, host });
      await host.write({ id: 'greeter', version: '1.1.0', greeting: 'bonjour' });

      const result = await first.reloadService('greeter', admin);
      expect(result.result).toBe('ok');
      await expect
        .poll(() => second.getService<Greeter>('greeter').greet(), { timeout: 10_000 })
        .toBe('bonjour');
      await expect
        .poll(
          async () =>
            (await first.auditLog({ action: 'reload' })).find(
              (e) => e.instanceId === second.instanceId && e.details.revision === result.revision,
            )?.result,
          { timeout: 10_000 },
        )
        .toBe('ok');

      await host.write({ id: 'greeter', version: '1.2.0', greeting: 'hallo' });
      const { manager: cli } = await start([], { mode: 'control', host });
      const recorded = await cli.reloadService('greeter', { actor: 'bob', adapter: 'cli' });
      expect(recorded).toMatchObject({ result: 'ok', applied: 'recorded', version: '1.2.0', running: false });
      await cli.shutdown();
      for (const manager of [first, second]) {
        await expect
          .poll(() => manager.getService<Greeter>('greeter').greet(), { timeout: 10_000 })
          .toBe('hallo');
      }
      // Each process audits its own outcome of the recorded reload.
      await expect
        .poll(
          async () =>
            (await first.auditLog({ action: 'reload' }))
              .filter((e) => e.details.revision === recorded.revision)
              .map((e) => `${e.actor}:${e.result}`)
              .sort(),
          { timeout: 10_000 },
        )
        .toEqual(['bob:ok', 'servicedeck:ok', 'servicedeck:ok']);
    },
  );

  it.skipIf(skip)(
    'GIVEN the CLI WHEN the new code does not load THEN the reload fails there and nothing is recorded for the bot',
    async () => {
      const { manager: bot, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      const { manager: cli } = await start([], { mode: 'control', host });
      await host.write({ id: 'greeter', append: 'throw new Error("module top-level failure");' });

      const result = await cli.reloadService('greeter', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'load', applied: 'recorded', revision: null });
      expect(result.error?.message).toMatch(
        /loading its code: .*module top-level failure.*nothing was changed/,
      );
      const changes = await bot.database.repos.changes.findAll({ where: { kind: 'reload' } });
      expect(changes).toEqual([]);
      expect(bot.getService<Greeter>('greeter').greet()).toBe('hello');
    },
  );

  it.skipIf(skip)(
    'GIVEN the CLI WHEN the new code needs a setting that is not stored THEN the reload fails there at validate and nothing is recorded',
    async () => {
      const { manager: bot, host } = await start([{ id: 'greeter', greeting: 'hello' }]);
      await bot.checkHealth('greeter', { fresh: true });
      await host.write({
        id: 'greeter',
        version: '2.0.0',
        configSchema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
      });
      const { manager: cli } = await start([], { mode: 'control', host });

      const result = await cli.reloadService('greeter', admin);

      expect(result).toMatchObject({ result: 'failed', stage: 'validate', revision: null });
      expect(result.error?.message).toMatch(/current settings do not fit the new code: .*token/);
      expect(await bot.database.repos.changes.findAll({ where: { kind: 'reload' } })).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a service whose module did not load at start WHEN its file is fixed and it is reloaded THEN it starts',
    async () => {
      const { manager: first, host } = await start([{ id: 'greeter' }]);
      // The catalog knows a service whose file the glob does not find (its module failed to load).
      const ghostFile = path.join(host.root, 'elsewhere', 'ghost.service.mjs');
      await mkdir(path.dirname(ghostFile), { recursive: true });
      await first.database.repos.registry.create({
        id: 'ghost',
        name: 'Ghost',
        description: '',
        serviceType: 'internal',
        version: '0.9.0',
        metadata: { dependencies: [], tags: [] },
        configSchema: null,
        healthCheckEndpoint: 'healthCheck',
        source: ghostFile,
        missing: true,
        enabled: true,
        status: 'inactive',
        revision: 0,
      });
      await first.shutdown();
      const { manager } = await start([], { host });
      expect(manager.getServiceInfo('ghost')).toMatchObject({ missing: true, running: false });

      await writeFile(ghostFile, 'export const SERVICE_METADATA = ;');
      const broken = await manager.reloadService('ghost', admin);
      expect(broken).toMatchObject({ result: 'failed', stage: 'load', running: false });
      expect(manager.getServiceInfo('ghost').missing).toBe(true);

      await writeFile(ghostFile, serviceModule({ id: 'ghost', version: '1.0.0', greeting: 'boo' }));
      const fixed = await manager.reloadService('ghost', admin);
      expect(fixed).toMatchObject({
        result: 'ok',
        previousVersion: '0.9.0',
        version: '1.0.0',
        running: true,
      });
      expect(manager.getServiceInfo('ghost').missing).toBe(false);
      expect(manager.getService<Greeter>('ghost').greet()).toBe('boo');
    },
  );
});
