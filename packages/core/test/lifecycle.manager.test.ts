import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { BaseService } from '../src/base-service.js';
import { ServiceRegistryManager } from '../src/manager.js';
import { openDatabase } from '../src/persistence/database.js';
import type { ServiceMetadataInput } from '../src/types.js';

/** Records lifecycle calls into a shared log. */
class Recorder extends BaseService {
  public constructor(
    private readonly metadata: ServiceMetadataInput,
    private readonly log: string[],
    private readonly behaviour: { failEnable?: boolean; failDisable?: boolean } = {},
  ) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck() {
    return 'active' as const;
  }
  public override enable() {
    this.log.push(`enable:${this.metadata.id}`);
    if (this.behaviour.failEnable) throw new Error('cannot connect');
  }
  public override disable() {
    this.log.push(`disable:${this.metadata.id}`);
    if (this.behaviour.failDisable) throw new Error('socket stuck');
  }
}

const admin = { actor: 'alice', adapter: 'cli' };

describe.each(DIALECTS)('enable and disable on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  /** database ← cache ← api, and a standalone mailer. */
  async function start(
    log: string[],
    behaviour: Record<string, { failEnable?: boolean; failDisable?: boolean }> = {},
  ) {
    testDb ??= await createTestDatabase(dialect);
    const manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      processHealth: false,
      health: { schedule: false },
      drainTimeoutMs: 2_000,
    });
    const services: ServiceMetadataInput[] = [
      { id: 'database', name: 'Database', type: 'external' },
      { id: 'cache', name: 'Cache', type: 'external', dependencies: ['database'] },
      { id: 'api', name: 'API', type: 'internal', dependencies: ['cache'] },
      { id: 'mailer', name: 'Mailer', type: 'external' },
    ];
    for (const metadata of services)
      manager.registerService(new Recorder(metadata, log, behaviour[metadata.id]));
    managers.push(manager);
    await manager.start();
    log.length = 0;
    return manager;
  }

  it.skipIf(skip)(
    'GIVEN enabled dependents THEN disabling is refused listing them, and cascade disables them first',
    async () => {
      const log: string[] = [];
      const m = await start(log);
      await expect(m.disableService('database', admin)).rejects.toMatchObject({
        code: 'SD_ERR_DEPENDENTS_ENABLED',
        message:
          'Cannot disable "database": "api", "cache" depend on it and are enabled. Disable them first, or disable it together with the services that depend on it (cascade).',
      });
      expect(log).toEqual([]);
      const dry = await m.disableService('database', { ...admin, cascade: true, dryRun: true });
      expect(dry).toEqual({
        applied: 'here',
        dryRun: true,
        outcomes: [],
        plan: {
          action: 'disable',
          target: 'database',
          steps: [
            { serviceId: 'api', action: 'disable' },
            { serviceId: 'cache', action: 'disable' },
            { serviceId: 'database', action: 'disable' },
          ],
        },
      });
      expect(m.isEnabled('database')).toBe(true);
      const result = await m.disableService('database', { ...admin, cascade: true });
      expect(log).toEqual(['disable:api', 'disable:cache', 'disable:database']);
      expect(result.outcomes.map((o) => [o.serviceId, o.result, o.status, o.message])).toEqual([
        ['api', 'ok', 'inactive', 'disabled'],
        ['cache', 'ok', 'inactive', 'disabled'],
        ['database', 'ok', 'inactive', 'disabled'],
      ]);
      expect(['database', 'cache', 'api', 'mailer'].map((id) => m.isEnabled(id))).toEqual([
        false,
        false,
        false,
        true,
      ]);
      const audit = await m.auditLog({ action: 'disable' });
      expect(audit.map((a) => [a.serviceId, a.result, a.actor, a.adapter])).toEqual([
        ['database', 'ok', 'alice', 'cli'],
        ['cache', 'ok', 'alice', 'cli'],
        ['api', 'ok', 'alice', 'cli'],
      ]);
    },
  );

  it.skipIf(skip)(
    'GIVEN disabled dependencies THEN enabling is refused listing them, and with dependencies enables them first',
    async () => {
      const log: string[] = [];
      const m = await start(log);
      await m.disableService('database', { ...admin, cascade: true });
      log.length = 0;
      await expect(m.enableService('api', admin)).rejects.toMatchObject({
        code: 'SD_ERR_DEPENDENCIES_DISABLED',
        message:
          'Cannot enable "api": it depends on "database", "cache", which are disabled. Enable them first, or enable it together with its dependencies.',
      });
      const result = await m.enableService('api', { ...admin, withDependencies: true });
      expect(result.plan.steps.map((s) => s.serviceId)).toEqual(['database', 'cache', 'api']);
      expect(log).toEqual(['enable:database', 'enable:cache', 'enable:api']);
      expect(m.getService('api')).toBeDefined();
      expect(m.isEnabled('api')).toBe(true);
      expect((await m.enableService('api', admin)).plan.steps).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a restart THEN a service disabled before it stays disabled and is not started',
    async () => {
      const log: string[] = [];
      const m = await start(log);
      await m.disableService('mailer', admin);
      await m.shutdown();
      const again = await start(log);
      expect(again.isEnabled('mailer')).toBe(false);
      expect(again.getServiceInfo('mailer')).toMatchObject({
        running: false,
        status: 'inactive',
        statusMessage: 'disabled',
      });
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      expect((await db.repos.registry.findByPk('mailer'))?.enabled).toBe(false);
      await db.close();
    },
  );

  it.skipIf(skip)(
    'GIVEN work in flight THEN disable waits for it before calling disable(), and refuses new work',
    async () => {
      const log: string[] = [];
      const m = await start(log);
      let finish: () => void = () => undefined;
      const work = m.withService('mailer', async () => {
        log.push('work:start');
        await new Promise<void>((resolve) => {
          finish = resolve;
        });
        log.push('work:end');
        return 'sent';
      });
      const disabling = m.disableService('mailer', admin);
      await expect.poll(() => m.getServiceInfo('mailer').running).toBe(false);
      await expect(m.withService('mailer', () => 'late')).rejects.toMatchObject({
        code: 'SD_ERR_SERVICE_NOT_RUNNING',
      });
      expect(log).toEqual(['work:start']);
      finish();
      expect(await work).toBe('sent');
      await disabling;
      expect(log).toEqual(['work:start', 'work:end', 'disable:mailer']);
    },
  );

  it.skipIf(skip)(
    'GIVEN enable() throws THEN the service ends in error with the reason and the action is recorded as failed',
    async () => {
      const log: string[] = [];
      const m = await start(log, { mailer: { failEnable: true } });
      // It failed at start too; disable then enable again.
      await m.disableService('mailer', admin);
      const result = await m.enableService('mailer', admin);
      expect(result.outcomes).toEqual([
        {
          serviceId: 'mailer',
          action: 'enable',
          result: 'failed',
          status: 'error',
          message: 'Service "mailer" failed to start: cannot connect.',
        },
      ]);
      expect(m.isEnabled('mailer')).toBe(true);
      const [entry] = await m.auditLog({ serviceId: 'mailer', action: 'enable' });
      expect(entry).toMatchObject({
        result: 'failed',
        details: { reason: 'Service "mailer" failed to start: cannot connect.' },
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN disable() throws THEN the service is in error and the failure is audited',
    async () => {
      const log: string[] = [];
      const m = await start(log, { mailer: { failDisable: true } });
      const result = await m.disableService('mailer', admin);
      expect(result.outcomes[0]).toMatchObject({
        result: 'failed',
        status: 'error',
        message: 'Service "mailer" failed to stop: socket stuck.',
      });
      expect(m.isEnabled('mailer')).toBe(false);
    },
  );

  it.skipIf(skip)(
    'GIVEN a dependency that fails to start in an enable plan THEN the rest of the plan is not started and is reported failed',
    async () => {
      const log: string[] = [];
      const m = await start(log, { database: { failEnable: true } });
      await m.disableService('database', { ...admin, cascade: true });
      log.length = 0;
      const result = await m.enableService('api', { ...admin, withDependencies: true });
      expect(log).toEqual(['enable:database', 'disable:database']);
      expect(result.outcomes.map((o) => [o.serviceId, o.result, o.status])).toEqual([
        ['database', 'failed', 'error'],
        ['cache', 'failed', 'inactive'],
        ['api', 'failed', 'inactive'],
      ]);
      expect(result.outcomes[1]?.message).toBe('waiting for "database" (it failed to start)');
      const audit = await m.auditLog({ action: 'enable' });
      expect(audit.map((a) => [a.serviceId, a.result])).toEqual([
        ['api', 'failed'],
        ['cache', 'failed'],
        ['database', 'failed'],
      ]);
      // A resync does not retry what failed here.
      await m.resync();
      expect(log).toEqual(['enable:database', 'disable:database']);
    },
  );

  it.skipIf(skip)(
    'GIVEN a shut-down manager THEN every operation is refused with the state error',
    async () => {
      const log: string[] = [];
      const m = await start(log);
      await m.shutdown();
      for (const attempt of [
        () => m.enableService('mailer', admin),
        () => m.getConfig('mailer'),
        () => m.auditLog(),
        () => m.listServices(),
        () => m.checkHealth('mailer'),
      ]) {
        await expect(attempt()).rejects.toMatchObject({ code: 'SD_ERR_MANAGER_STATE' });
      }
      expect(() => m.getService('mailer')).toThrow(expect.objectContaining({ code: 'SD_ERR_MANAGER_STATE' }));
    },
  );

  it.skipIf(skip)('GIVEN health checks scheduled THEN a disabled service is no longer checked', async () => {
    const log: string[] = [];
    const m = await start(log);
    await m.disableService('mailer', admin);
    expect(await m.checkHealth('mailer', { fresh: true })).toMatchObject({
      status: 'inactive',
      message: 'disabled',
      latencyMs: null,
    });
  });
});
