import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { httpCheck, startTestServer, type TestServer } from '../../../tests/support/http-server.js';
import { BaseService } from '../src/base-service.js';
import type { StatusChange } from '../src/health/types.js';
import { ServiceRegistryManager } from '../src/manager.js';
import { openDatabase } from '../src/persistence/database.js';
import type { JsonObject, ServiceMetadataInput } from '../src/types.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** A service whose health is an HTTP endpoint of the test server. */
class EndpointService extends BaseService {
  public constructor(
    private readonly metadata: ServiceMetadataInput,
    private readonly path: string,
  ) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck(signal?: AbortSignal) {
    return httpCheck(`${server.url}${this.path}`)(signal);
  }
  public override updateConfig(config: JsonObject) {
    super.updateConfig(config);
  }
}

describe.each(DIALECTS)('ServiceRegistryManager health on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let manager: ServiceRegistryManager | undefined;
  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    await testDb?.cleanup();
  });

  async function start(services: EndpointService[], schedule = false) {
    testDb = await createTestDatabase(dialect);
    manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      health: { schedule, flushIntervalMs: 20 },
    });
    for (const service of services) manager.registerService(service);
    await manager.start();
    return manager;
  }

  it.skipIf(skip)(
    'GIVEN a service enabled while the manager runs, with a long interval THEN it is checked at once, not at its first scheduled check',
    async () => {
      const m = await start(
        [
          new EndpointService(
            {
              id: 'late',
              name: 'Late',
              type: 'external',
              enabledByDefault: false,
              healthCheck: { intervalMs: 3_600_000 },
            },
            '/ok',
          ),
        ],
        true,
      );
      expect(m.getServiceInfo('late')).toMatchObject({ status: 'inactive', statusMessage: 'disabled' });
      await m.enableService('late', { actor: 'test', adapter: 'test' });
      await expect.poll(() => m.getServiceInfo('late').status, { timeout: 5_000 }).toBe('active');
      expect(m.getServiceInfo('late').statusMessage).toMatch(/^200/);
    },
  );

  it.skipIf(skip)(
    'GIVEN running services THEN checkHealth runs a check, records history and updates the status',
    async () => {
      const m = await start([
        new EndpointService(
          { id: 'api', name: 'API', type: 'external', healthCheck: { failureThreshold: 1 } },
          '/ok',
        ),
        new EndpointService(
          { id: 'broken', name: 'Broken', type: 'external', healthCheck: { failureThreshold: 1 } },
          '/fail',
        ),
      ]);
      const changes: StatusChange[] = [];
      m.events.on('statusChange', (change) => changes.push(change));
      expect(m.getServiceInfo('api').status).toBe('unknown');
      const api = await m.checkHealth('api');
      expect(api).toMatchObject({ serviceId: 'api', status: 'active', instanceId: m.instanceId });
      expect(m.getServiceInfo('api')).toMatchObject({ status: 'active', statusMessage: '200 OK' });
      expect(m.getServiceInfo('api').lastHealthCheck).toEqual(api.checkedAt);
      const all = await m.checkAllHealth({ fresh: true });
      expect([...all.keys()].sort()).toEqual(['api', 'broken', 'process']);
      expect(all.get('broken')).toMatchObject({ status: 'error', message: 'answered 503' });
      expect(all.get('process')?.message).toMatch(
        /^event loop p99 [\d.]+ ms, heap \d+\/\d+ MB, rss \d+ MB, up /,
      );
      expect(changes.map((c) => [c.service, c.from, c.to])).toEqual(
        expect.arrayContaining([
          ['api', 'unknown', 'active'],
          ['broken', 'unknown', 'error'],
        ]),
      );
      expect((await m.healthHistory('api')).map((r) => r.status)).toEqual(['active', 'active']);
      expect(await m.uptime('broken')).toEqual({ checks: 1, active: 0, ratio: 0 });
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      await expect.poll(async () => (await db.repos.registry.findByPk('broken'))?.status).toBe('error');
      expect((await db.repos.registry.findByPk('broken'))?.statusMessage).toBe('answered 503');
      await db.close();
    },
  );

  it.skipIf(skip)(
    'GIVEN services that are disabled or not configured THEN they are inactive with the reason and not checked',
    async () => {
      testDb = await createTestDatabase(dialect);
      const first = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: testDb.dir },
        processHealth: false,
      });
      first.registerService(new EndpointService({ id: 'off', name: 'Off', type: 'internal' }, '/ok'));
      await first.start();
      await first.shutdown();
      const db = await openDatabase({ url: testDb.url });
      await db.repos.registry.update({ enabled: false }, { where: { id: 'off' } });
      await db.close();
      server.hits.set('/ok', 0);
      manager = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: testDb.dir },
        processHealth: false,
      });
      manager.registerService(new EndpointService({ id: 'off', name: 'Off', type: 'internal' }, '/ok'));
      manager.registerService(
        new EndpointService(
          {
            id: 'keyless',
            name: 'Keyless',
            type: 'external',
            configSchema: {
              type: 'object',
              properties: { apiKey: { type: 'string' } },
              required: ['apiKey'],
            },
          },
          '/ok',
        ),
      );
      await manager.start();
      expect(await manager.checkHealth('off')).toMatchObject({
        status: 'inactive',
        message: 'disabled',
        latencyMs: null,
      });
      expect(await manager.checkHealth('keyless')).toMatchObject({
        status: 'inactive',
        message: 'not configured: apiKey is required',
      });
      expect(server.hits.get('/ok')).toBe(0);
      await expect(manager.checkHealth('nope')).rejects.toMatchObject({ code: 'SD_ERR_SERVICE_NOT_FOUND' });
    },
  );

  it.skipIf(skip)(
    'GIVEN the schedule on THEN services are checked by themselves and shutdown stops the checks',
    async () => {
      const m = await start(
        [
          new EndpointService(
            { id: 'ticker', name: 'Ticker', type: 'internal', healthCheck: { intervalMs: 1_000 } },
            '/ok',
          ),
        ],
        true,
      );
      await expect.poll(() => m.getServiceInfo('ticker').status, { timeout: 5_000 }).toBe('active');
      await m.shutdown();
      const hits = server.hits.get('/ok') ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(server.hits.get('/ok') ?? 0).toBe(hits);
    },
  );
});
