import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { BaseService } from '../src/base-service.js';
import { NOT_RUN_YET } from '../src/catalog-reader.js';
import { isServiceDeckError } from '../src/errors.js';
import { type ManagerMode, ServiceRegistryManager } from '../src/manager.js';
import type { ConfigSchema, JsonObject, ServiceMetadataInput } from '../src/types.js';

const SCHEMA: ConfigSchema = {
  type: 'object',
  properties: { greeting: { type: 'string' } },
  additionalProperties: false,
};

/** Records every lifecycle call, so a test can tell which process ran it. */
class Witness extends BaseService {
  public constructor(
    private readonly metadata: ServiceMetadataInput,
    public readonly calls: string[],
  ) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck() {
    this.calls.push('check');
    return { status: 'active' as const, message: `${this.metadata.id} ok` };
  }
  public override enable() {
    this.calls.push('enable');
  }
  public override disable() {
    this.calls.push('disable');
  }
  public override updateConfig(config: JsonObject) {
    this.calls.push(`config:${JSON.stringify(config)}`);
    super.updateConfig(config);
  }
}

const admin = { actor: 'alice', adapter: 'cli' };

describe.each(DIALECTS)('a manager in control mode on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  /** A manager of its own on the shared database, with its own instances of `db` and `api` (api needs db). */
  async function start(mode: ManagerMode): Promise<{ manager: ServiceRegistryManager; calls: string[] }> {
    testDb ??= await createTestDatabase(dialect);
    const calls: string[] = [];
    const manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      config: { cwd: testDb.dir, env: {} },
      processHealth: false,
      health: { schedule: false },
      sync: { enabled: false },
      mode,
    });
    manager.registerService(new Witness({ id: 'db', name: 'DB', type: 'external' }, calls));
    manager.registerService(
      new Witness(
        { id: 'api', name: 'API', type: 'internal', dependencies: ['db'], configSchema: SCHEMA },
        calls,
      ),
    );
    managers.push(manager);
    await manager.start();
    return { manager, calls };
  }

  it.skipIf(skip)(
    'GIVEN a catalog no process has run THEN control mode shows every service as not run yet, and runs nothing',
    async () => {
      const control = await start('control');
      expect(control.manager.controlOnly).toBe(true);
      expect(control.manager.getServiceInfo('api')).toMatchObject({
        status: 'unknown',
        statusMessage: NOT_RUN_YET,
        running: false,
      });
      const record = await control.manager.checkHealth('api');
      expect(record).toMatchObject({ status: 'unknown', latencyMs: null, message: NOT_RUN_YET });
      expect(control.calls).toEqual([]);
      expect(await control.manager.listInstances()).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a running bot THEN control mode shows the statuses it recorded, and its enable, disable and settings are recorded, audited and applied only by the bot',
    async () => {
      const bot = await start('run');
      await bot.manager.checkAllHealth({ fresh: true });
      await expect.poll(async () => (await bot.manager.healthHistory('api', 1)).length).toBe(1);
      const control = await start('control');
      expect(control.manager.getServiceInfo('api')).toMatchObject({
        status: 'active',
        statusMessage: 'api ok',
        running: false,
      });
      expect((await control.manager.listInstances()).map((i) => i.id)).toEqual([bot.manager.instanceId]);
      expect(() => control.manager.getService('api')).toThrowError(/not running|disabled|no live/i);
      try {
        control.manager.getService('api');
      } catch (error) {
        expect(isServiceDeckError(error, 'SD_ERR_SERVICE_NOT_RUNNING')).toBe(true);
      }

      const disabled = await control.manager.disableService('db', { ...admin, cascade: true });
      expect(disabled.applied).toBe('recorded');
      expect(disabled.outcomes).toEqual([
        { serviceId: 'api', action: 'disable', result: 'ok', status: 'active', message: 'api ok' },
        { serviceId: 'db', action: 'disable', result: 'ok', status: 'active', message: 'db ok' },
      ]);
      const changed = await control.manager.updateConfig('api', { greeting: 'hi' }, admin);
      expect(changed).toMatchObject({ applied: 'recorded', version: 1 });
      expect(control.calls).toEqual([]);
      expect(
        (await control.manager.auditLog()).map((e) => [e.action, e.serviceId, e.result, e.details.applied]),
      ).toEqual([
        ['config.update', 'api', 'ok', undefined],
        ['disable', 'db', 'ok', 'recorded'],
        ['disable', 'api', 'ok', 'recorded'],
      ]);
      // The control process's statuses are still the bot's: it did not stop anything itself.
      expect(control.manager.getServiceInfo('db').status).toBe('active');

      bot.calls.length = 0;
      await bot.manager.resync();
      expect(bot.calls).toEqual(['disable', 'disable']);
      expect(bot.manager.getServiceInfo('api')).toMatchObject({
        status: 'inactive',
        statusMessage: 'disabled',
      });

      await control.manager.enableService('api', { ...admin, withDependencies: true });
      await bot.manager.resync();
      expect(bot.calls.slice(2, 4)).toEqual(['config:{}', 'enable']);
      expect(bot.calls).toContain('config:{"greeting":"hi"}');
      expect(bot.manager.getServiceInfo('api').running).toBe(true);
      expect(control.calls).toEqual([]);
    },
  );
});
