import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../../tests/support/databases.js';
import { BaseService } from '../../src/base-service.js';
import { readCatalog, readRegistry } from '../../src/catalog-reader.js';
import { isServiceDeckError } from '../../src/errors.js';
import { ServiceRegistryManager } from '../../src/manager.js';
import { CatalogStore } from '../../src/persistence/catalog-store.js';
import { openDatabase } from '../../src/persistence/database.js';
import type { ServiceMetadataInput } from '../../src/types.js';

class Fixed extends BaseService {
  public constructor(private readonly metadata: ServiceMetadataInput) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck() {
    return { status: 'active' as const, message: `${this.metadata.id} ok` };
  }
}

describe.each(DIALECTS)('readRegistry on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let manager: ServiceRegistryManager | undefined;
  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    manager = undefined;
    await testDb?.cleanup();
    testDb = undefined;
  });

  it.skipIf(skip)(
    'GIVEN a catalog written by a running manager THEN the bare driver reads the same entries as the ORM, and counts the process',
    async () => {
      testDb = await createTestDatabase(dialect);
      manager = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: testDb.dir },
        health: { schedule: false, flushIntervalMs: 10 },
        sync: { enabled: false },
      });
      manager.registerService(new Fixed({ id: 'db', name: 'DB', type: 'external', tags: ['infra'] }));
      manager.registerService(
        new Fixed({ id: 'api', name: 'API', type: 'wrapper', version: '2.1.0', dependencies: ['db'] }),
      );
      manager.registerService(
        new Fixed({ id: 'off', name: 'Off', type: 'internal', enabledByDefault: false }),
      );
      await manager.start();
      await manager.checkAllHealth({ fresh: true });
      await expect.poll(async () => (await manager?.healthHistory('api', 1))?.length).toBe(1);

      const snapshot = await readRegistry(testDb.url, testDb.dir);
      const db = await openDatabase({ url: testDb.url, migrate: false });
      try {
        expect(snapshot.services).toEqual(await new CatalogStore(db, 'reader').list());
      } finally {
        await db.close();
      }
      expect(snapshot.services.find((s) => s.id === 'api')).toMatchObject({
        type: 'wrapper',
        version: '2.1.0',
        enabled: true,
        missing: false,
        status: 'active',
        statusMessage: 'api ok',
        dependencies: ['db'],
        lastHealthCheck: expect.any(Date),
      });
      expect(snapshot.services.find((s) => s.id === 'off')).toMatchObject({
        enabled: false,
        status: 'inactive',
      });
      expect(snapshot.processes).toEqual({ running: 1, lastSeenAt: expect.any(Date) });

      await manager.shutdown();
      const after = await readRegistry(testDb.url, testDb.dir);
      expect(after.processes.running).toBe(0);
      expect(after.processes.lastSeenAt).toBeInstanceOf(Date);
      expect(await readCatalog(testDb.url, testDb.dir)).toEqual(after.services);
    },
  );

  it.skipIf(skip)(
    'GIVEN a database without a catalog THEN it says so, marked as missing, and creates nothing',
    async () => {
      testDb = await createTestDatabase(dialect);
      const failure = await readCatalog(testDb.url, testDb.dir).catch((error: unknown) => error);
      expect(isServiceDeckError(failure, 'SD_ERR_DATABASE_UNAVAILABLE')).toBe(true);
      expect((failure as { details: { catalog?: string } }).details.catalog).toBe('missing');
      expect((failure as Error).message).toMatch(/no servicedeck catalog yet|There is no database at/);
    },
  );
});
