import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../../tests/support/databases.js';
import type { HealthCheckRecord } from '../../src/health/types.js';
import { type Database, openDatabase } from '../../src/persistence/database.js';
import { HealthHistoryStore } from '../../src/persistence/health-store.js';
import { ServiceStatus } from '../../src/types.js';

const HOUR = 60 * 60 * 1000;

function record(serviceId: string, at: Date, status: ServiceStatus = 'active'): HealthCheckRecord {
  return {
    serviceId,
    instanceId: 'bot-1',
    status,
    latencyMs: 12.5,
    message: `${status} at ${at.toISOString()}`,
    cause: null,
    checkedAt: at,
  };
}

describe.each(DIALECTS)('HealthHistoryStore on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  afterEach(async () => {
    await db?.close();
    await testDb?.cleanup();
  });

  async function store(retention?: { maxAgeMs?: number; maxPerService?: number }) {
    testDb = await createTestDatabase(dialect);
    db = await openDatabase({ url: testDb.url });
    for (const id of ['api', 'db'])
      await db.repos.registry.create({ id, name: id, serviceType: 'internal', metadata: {} });
    return new HealthHistoryStore(db, { flushIntervalMs: 50, ...(retention ? { retention } : {}) });
  }

  it.skipIf(skip)('GIVEN results THEN they are written in a batch and read back newest first', async () => {
    const history = await store();
    const now = Date.now();
    for (let i = 0; i < 5; i += 1)
      history.add(record('api', new Date(now - (5 - i) * 1000), i === 3 ? 'error' : 'active'));
    history.add(record('db', new Date(now)));
    await expect.poll(async () => db?.repos.health.count()).toBe(6);
    const recent = await history.recent('api', 3);
    expect(recent.map((r) => r.status)).toEqual(['active', 'error', 'active']);
    expect(recent[0]).toMatchObject({ serviceId: 'api', instanceId: 'bot-1', latencyMs: 12.5, cause: null });
    expect(recent[0]?.checkedAt.getTime()).toBe(now - 1000);
    const row = await db?.repos.registry.findByPk('api');
    expect(row?.lastHealthCheck?.getTime()).toBe(now - 1000);
  });

  it.skipIf(skip)(
    'GIVEN results over a day THEN uptime counts the active share inside the window only',
    async () => {
      const history = await store();
      const now = Date.now();
      for (let h = 0; h < 24; h += 1)
        history.add(record('api', new Date(now - h * HOUR - 1000), h < 6 ? 'error' : 'active'));
      expect(await history.uptime('api', new Date(now - 12 * HOUR))).toEqual({
        checks: 12,
        active: 6,
        ratio: 0.5,
      });
      expect(await history.uptime('api', new Date(now - 25 * HOUR))).toEqual({
        checks: 24,
        active: 18,
        ratio: 0.75,
      });
      expect(await history.uptime('db', new Date(now - HOUR))).toEqual({ checks: 0, active: 0, ratio: null });
    },
  );

  it.skipIf(skip)(
    'GIVEN retention by age and count THEN pruning keeps only the newest results within both',
    async () => {
      const history = await store({ maxAgeMs: 10 * HOUR, maxPerService: 5 });
      const now = new Date();
      for (let h = 0; h < 12; h += 1) history.add(record('api', new Date(now.getTime() - h * HOUR)));
      for (let h = 0; h < 3; h += 1) history.add(record('db', new Date(now.getTime() - h * HOUR)));
      history.add(record('db', new Date(now.getTime() - 11 * HOUR)));
      expect(await history.prune(now)).toBe(8);
      const api = await history.recent('api', 100);
      expect(api.map((r) => Math.round((now.getTime() - r.checkedAt.getTime()) / HOUR))).toEqual([
        0, 1, 2, 3, 4,
      ]);
      expect((await history.recent('db', 100)).length).toBe(3);
    },
  );
});
