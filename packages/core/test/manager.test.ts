import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { BaseService } from '../src/base-service.js';
import { ServiceRegistryManager, type ServiceRegistryManagerOptions } from '../src/manager.js';
import { openDatabase } from '../src/persistence/database.js';
import type { ServiceMetadataInput } from '../src/types.js';
import { createHost, FIXTURE_HOST_SERVICES, FIXTURE_PLUGINS, type FixtureHost } from './support/host.js';

const TS_SERVICES = path.join(FIXTURE_HOST_SERVICES, '..', 'host-services-ts');

/** The event log the fixture services write to (shared by the valid plugin's modules). */
async function fixtureEvents(): Promise<string[]> {
  const module = (await import(
    path.join(FIXTURE_PLUGINS, 'sd-plugin-valid', 'dist', 'alpha.service.js')
  )) as {
    AlphaService: { events: string[] };
  };
  return module.AlphaService.events;
}

class RecordingService extends BaseService {
  public readonly calls: string[] = [];
  public constructor(
    private readonly metadata: ServiceMetadataInput,
    private readonly behaviour: { failEnable?: string; log?: string[] } = {},
  ) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck() {
    return 'active' as const;
  }
  public override updateConfig(config: Record<string, never>) {
    this.calls.push(`config:${JSON.stringify(config)}`);
    super.updateConfig(config);
  }
  public override enable() {
    this.behaviour.log?.push(`enable:${this.metadata.id}`);
    this.calls.push('enable');
    if (this.behaviour.failEnable) throw new Error(this.behaviour.failEnable);
  }
  public override disable() {
    this.behaviour.log?.push(`disable:${this.metadata.id}`);
    this.calls.push('disable');
  }
}

describe.each(DIALECTS)('ServiceRegistryManager on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let host: FixtureHost | undefined;
  const managers: ServiceRegistryManager[] = [];

  afterEach(async () => {
    for (const manager of managers.splice(0)) if (manager.state === 'running') await manager.shutdown();
    await host?.cleanup();
    await testDb?.cleanup();
    host = undefined;
  });

  async function manager(
    extra: Partial<ServiceRegistryManagerOptions> = {},
    register?: (m: ServiceRegistryManager) => void,
  ) {
    testDb ??= await createTestDatabase(dialect);
    const created = new ServiceRegistryManager({
      processHealth: false,
      ...extra,
      database: { url: testDb.url },
      discovery: { root: host?.root ?? testDb.dir, ...extra.discovery },
    });
    register?.(created);
    managers.push(created);
    await created.start();
    return created;
  }

  it.skipIf(skip)(
    'GIVEN a valid plugin THEN services start in dependency order and stop in reverse',
    async () => {
      testDb = await createTestDatabase(dialect);
      host = await createHost(['sd-plugin-valid']);
      const events = await fixtureEvents();
      events.length = 0;
      const m = await manager();
      expect(events).toEqual(['enable:alpha', 'enable:beta']);
      const services = await m.listServices();
      expect(services.map((s) => [s.id, s.type, s.enabled, s.status, s.running])).toEqual([
        ['alpha', 'internal', true, 'unknown', true],
        ['beta', 'wrapper', true, 'unknown', true],
      ]);
      expect(m.getService('alpha').getConfig()).toEqual({ greeting: 'hello' });
      await m.shutdown();
      expect(events).toEqual(['enable:alpha', 'enable:beta', 'disable:beta', 'disable:alpha']);
      expect(m.state).toBe('stopped');
    },
  );

  it.skipIf(skip)(
    'GIVEN a restart THEN each service keeps its persisted enabled flag and configuration',
    async () => {
      testDb = await createTestDatabase(dialect);
      host = await createHost(['sd-plugin-valid']);
      const first = await manager();
      await first.shutdown();

      const db = await openDatabase({ url: testDb.url });
      await db.repos.registry.update({ enabled: false }, { where: { id: 'beta' } });
      await db.repos.configuration.create({
        serviceId: 'alpha',
        configKey: 'greeting',
        configValue: '"bonjour"',
      });
      await db.close();

      const events = await fixtureEvents();
      events.length = 0;
      const second = await manager();
      expect(events).toEqual(['enable:alpha']);
      expect(second.isEnabled('alpha')).toBe(true);
      expect(second.isEnabled('beta')).toBe(false);
      expect(second.getServiceInfo('beta')).toMatchObject({
        enabled: false,
        status: 'inactive',
        statusMessage: 'disabled',
        running: false,
      });
      expect(second.getService('alpha').getConfig()).toEqual({ greeting: 'bonjour' });
      // Nothing new was discovered, so the restart recorded no catalog change.
      const check = await openDatabase({ url: testDb.url });
      expect(await check.repos.changes.count()).toBe(1);
      await check.close();
      expect(() => second.getService('beta')).toThrow(
        expect.objectContaining({
          code: 'SD_ERR_SERVICE_NOT_RUNNING',
          message:
            'Service "beta" is not running (disabled). Check manager.isEnabled(id) before using a service.',
        }),
      );
    },
  );

  it.skipIf(skip)(
    'GIVEN a service that disappears THEN its row is kept and marked missing, and returns intact',
    async () => {
      testDb = await createTestDatabase(dialect);
      host = await createHost(['sd-plugin-valid']);
      const globs = [path.join(FIXTURE_HOST_SERVICES, '*.service.js')];
      const withGamma = await manager({ discovery: { serviceGlobs: globs } });
      expect(withGamma.isEnabled('gamma')).toBe(true);
      await withGamma.shutdown();
      const db = await openDatabase({ url: testDb.url });
      await db.repos.registry.update({ enabled: false }, { where: { id: 'gamma' } });
      await db.close();

      const without = await manager();
      expect(without.getServiceInfo('gamma')).toMatchObject({
        missing: true,
        enabled: false,
        running: false,
        status: 'inactive',
      });
      expect(without.isEnabled('gamma')).toBe(false);
      expect((await without.listServices({ enabledOnly: true })).map((s) => s.id)).toEqual(['alpha', 'beta']);
      await without.shutdown();

      const back = await manager({ discovery: { serviceGlobs: globs } });
      expect(back.getServiceInfo('gamma')).toMatchObject({ missing: false, enabled: false });
    },
  );

  it.skipIf(skip)(
    'GIVEN a TypeScript service with constructor injection THEN it receives its context and dependency',
    async () => {
      testDb = await createTestDatabase(dialect);
      host = await createHost(['sd-plugin-valid']);
      const m = await manager({ discovery: { serviceGlobs: [path.join(TS_SERVICES, 'delta.service.ts')] } });
      const delta =
        m.getService<import('./fixtures/host-services-ts/delta.service.js').DeltaService>('delta');
      expect(delta.context.id).toBe('delta');
      expect(delta.context.metadata.dependencies).toEqual(['alpha']);
      expect(delta.alpha).toBe(m.getService('alpha'));
    },
  );

  it.skipIf(skip)(
    'GIVEN a service injecting an undeclared dependency THEN it fails to construct and the rest run',
    async () => {
      testDb = await createTestDatabase(dialect);
      host = await createHost(['sd-plugin-valid']);
      const m = await manager({ discovery: { serviceGlobs: [path.join(TS_SERVICES, 'sneaky.service.ts')] } });
      const sneaky = m.getServiceInfo('sneaky');
      expect(sneaky.status).toBe('error');
      expect(sneaky.statusMessage).toBe(
        'Cannot construct service "sneaky": it injects service "alpha" without declaring it as a dependency. Add "alpha" to the dependencies in its metadata.',
      );
      expect(m.getServiceInfo('alpha').running).toBe(true);
    },
  );

  it.skipIf(skip)(
    'GIVEN enable() throws THEN the service is in error with the reason and its dependents wait',
    async () => {
      const log: string[] = [];
      const db = new RecordingService(
        { id: 'db', name: 'DB', type: 'external' },
        { failEnable: 'connection refused', log },
      );
      const api = new RecordingService(
        { id: 'api', name: 'API', type: 'internal', dependencies: ['db'] },
        { log },
      );
      const m = await manager({}, (created) => {
        created.registerService(api);
        created.registerService(db);
      });
      expect(m.getServiceInfo('db')).toMatchObject({
        status: 'error',
        statusMessage: 'Service "db" failed to start: connection refused.',
        running: false,
      });
      expect(m.getServiceInfo('api')).toMatchObject({
        status: 'inactive',
        statusMessage: 'waiting for "db" (Service "db" failed to start: connection refused.)',
      });
      // The failed start is cleaned up; the dependent was never enabled.
      expect(log).toEqual(['enable:db', 'disable:db']);
      const persisted = await openDatabase({ url: (testDb as TestDatabase).url });
      const row = await persisted.repos.registry.findByPk('db');
      await persisted.close();
      expect([row?.status, row?.statusMessage]).toEqual([
        'error',
        'Service "db" failed to start: connection refused.',
      ]);
    },
  );

  it.skipIf(skip)(
    'GIVEN required configuration is missing THEN the service is inactive "not configured", never error',
    async () => {
      const svc = new RecordingService({
        id: 'weather',
        name: 'Weather',
        type: 'wrapper',
        configSchema: { type: 'object', properties: { apiKey: { type: 'string' } }, required: ['apiKey'] },
      });
      const m = await manager({}, (created) => created.registerService(svc));
      expect(m.getServiceInfo('weather')).toMatchObject({
        status: 'inactive',
        statusMessage: 'not configured: apiKey is required',
      });
      expect(svc.calls).toEqual([]);
    },
  );

  it.skipIf(skip)('GIVEN registered services THEN updateConfig gets the defaults before enable', async () => {
    const svc = new RecordingService({
      id: 'greeter',
      name: 'Greeter',
      type: 'internal',
      configSchema: { type: 'object', properties: { word: { type: 'string', default: 'hi' } } },
    });
    const m = await manager({}, (created) => created.registerService(svc));
    expect(svc.calls).toEqual(['config:{"word":"hi"}', 'enable']);
    expect(m.getService('greeter')).toBe(svc);
  });
});

describe('a start that times out', () => {
  it('GIVEN enable() slower than its timeout THEN disable() runs only after it settled, releasing what it got', async () => {
    const testDb = await createTestDatabase('sqlite');
    const log: string[] = [];
    class Slow extends BaseService {
      public override getMetadata() {
        return { id: 'slow', name: 'Slow', type: 'external' } as never;
      }
      public healthCheck() {
        return 'active' as const;
      }
      public override async enable() {
        log.push('enable:start');
        await new Promise((resolve) => setTimeout(resolve, 300));
        log.push('enable:done (connection open)');
      }
      public override disable() {
        log.push('disable');
      }
    }
    const m = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      processHealth: false,
      enableTimeoutMs: 100,
    });
    m.registerService(new Slow());
    try {
      await m.start();
      expect(log).toEqual(['enable:start', 'enable:done (connection open)', 'disable']);
      expect(m.getServiceInfo('slow')).toMatchObject({
        status: 'error',
        statusMessage: 'Service "slow" failed to start: enable() did not finish within 100 ms.',
      });
    } finally {
      await m.shutdown();
      await testDb.cleanup();
    }
  });
});

describe('ServiceRegistryManager misuse', () => {
  it('GIVEN a manager not started THEN listing says to call start() first', async () => {
    const m = new ServiceRegistryManager();
    await expect(m.listServices()).rejects.toMatchObject({
      code: 'SD_ERR_MANAGER_STATE',
      message: 'Cannot list services while the manager is created. Call start() first.',
    });
    expect(m.isEnabled('anything')).toBe(false);
  });

  it('GIVEN a started manager THEN registering is refused, unknown ids are not found, and strict mode throws', async () => {
    const testDb = await createTestDatabase('sqlite');
    const host = await createHost(['sd-plugin-valid', 'sd-plugin-throws']);
    try {
      const m = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: host.root },
        processHealth: false,
      });
      await m.start();
      expect(() =>
        m.registerService(new RecordingService({ id: 'late', name: 'Late', type: 'internal' })),
      ).toThrow(expect.objectContaining({ code: 'SD_ERR_REGISTRATION_CLOSED' }));
      expect(() => m.getService('nope')).toThrow(
        expect.objectContaining({
          code: 'SD_ERR_SERVICE_NOT_FOUND',
          message: 'No service "nope" in the catalog. Known services: alpha, beta.',
        }),
      );
      expect(m.problems.map((p) => p.error.code)).toEqual(['SD_ERR_PLUGIN_LOAD_FAILED']);
      await m.shutdown();
      await m.shutdown();

      const strict = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: host.root },
        strict: true,
      });
      await expect(strict.start()).rejects.toMatchObject({ code: 'SD_ERR_PLUGIN_LOAD_FAILED' });
      expect(strict.state).toBe('stopped');
    } finally {
      await host.cleanup();
      await testDb.cleanup();
    }
  });

  it('GIVEN the same id registered twice THEN the second registration is refused', () => {
    const m = new ServiceRegistryManager();
    m.registerService(new RecordingService({ id: 'one', name: 'One', type: 'internal' }));
    expect(() =>
      m.registerService(new RecordingService({ id: 'one', name: 'One again', type: 'internal' })),
    ).toThrow(expect.objectContaining({ code: 'SD_ERR_DUPLICATE_SERVICE' }));
  });
});
