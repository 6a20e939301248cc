import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  TEST_PG_ADMIN_URL,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { BaseService } from '../src/base-service.js';
import { ServiceRegistryManager } from '../src/manager.js';
import { openDatabase } from '../src/persistence/database.js';
import type { JsonObject, ServiceMetadataInput } from '../src/types.js';

const GREETER: ServiceMetadataInput = {
  id: 'greeter',
  name: 'Greeter',
  type: 'internal',
  configSchema: { type: 'object', properties: { word: { type: 'string', default: 'hello' } } },
};
const LOGGER: ServiceMetadataInput = {
  id: 'audit-sink',
  name: 'Audit sink',
  type: 'internal',
  dependencies: ['greeter'],
};

class Probe extends BaseService {
  public readonly calls: string[] = [];
  public constructor(private readonly metadata: ServiceMetadataInput) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public healthCheck() {
    return 'active' as const;
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

const admin = { actor: 'alice', adapter: 'discord' };

describe.each(DIALECTS)('several processes on one %s database', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  async function instance(name: string) {
    testDb ??= await createTestDatabase(dialect);
    const services = { greeter: new Probe(GREETER), sink: new Probe(LOGGER) };
    const manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      instanceId: name,
      processHealth: false,
      health: { schedule: false },
      config: { env: {}, cwd: testDb.dir },
      sync: { pollIntervalMs: 100, reconnectMinMs: 100 },
    });
    manager.registerService(services.greeter);
    manager.registerService(services.sink);
    managers.push(manager);
    await manager.start();
    return { manager, ...services };
  }

  it.skipIf(skip)(
    'GIVEN a service disabled in one process THEN every other process stops it within a second',
    async () => {
      const a = await instance('shard-0');
      const b = await instance('shard-1');
      await a.manager.disableService('greeter', { ...admin, cascade: true });
      await expect.poll(() => b.manager.isEnabled('greeter'), { timeout: 3_000 }).toBe(false);
      await expect.poll(() => b.greeter.calls.at(-1), { timeout: 3_000 }).toBe('disable');
      expect(b.sink.calls.at(-1)).toBe('disable');
      expect(b.manager.getServiceInfo('greeter')).toMatchObject({
        running: false,
        status: 'inactive',
        statusMessage: 'disabled',
      });

      await a.manager.enableService('audit-sink', { ...admin, withDependencies: true });
      await expect.poll(() => b.manager.getServiceInfo('audit-sink').running, { timeout: 3_000 }).toBe(true);
      expect(b.manager.getServiceInfo('greeter').running).toBe(true);
      // Dependencies start before their dependents here too.
      expect(b.greeter.calls.lastIndexOf('enable')).toBeGreaterThan(-1);
    },
  );

  it.skipIf(skip)(
    'GIVEN settings changed in one process THEN the running service in the other gets them',
    async () => {
      const a = await instance('bot-a');
      const b = await instance('bot-b');
      await a.manager.updateConfig('greeter', { word: 'bonjour' }, admin);
      await expect.poll(() => b.greeter.getConfig(), { timeout: 3_000 }).toEqual({ word: 'bonjour' });
      // The process that made the change applied it once, not again on its own resync.
      await a.manager.resync();
      expect(a.greeter.calls.filter((c) => c.startsWith('config:'))).toEqual([
        'config:{"word":"hello"}',
        'config:{"word":"bonjour"}',
      ]);
    },
  );

  it.skipIf(skip)(
    'GIVEN changes made in one process THEN every process emits them as applied, in revision order, with the new state readable',
    async () => {
      const a = await instance('bot-a');
      const b = await instance('bot-b');
      const seen: { process: string; kind: string; id: string; enabled: boolean }[] = [];
      for (const [name, m] of [
        ['a', a.manager],
        ['b', b.manager],
      ] as const) {
        m.events.on('change', (change) =>
          seen.push({ process: name, kind: change.kind, id: change.id, enabled: m.isEnabled('audit-sink') }),
        );
      }
      await a.manager.disableService('audit-sink', admin);
      await a.manager.updateConfig('greeter', { word: 'hej' }, admin);
      await expect.poll(() => seen.length, { timeout: 3_000 }).toBe(4);
      for (const name of ['a', 'b']) {
        expect(seen.filter((s) => s.process === name)).toEqual([
          { process: name, kind: 'state', id: 'audit-sink', enabled: false },
          { process: name, kind: 'config', id: 'greeter', enabled: false },
        ]);
      }
    },
  );

  it.skipIf(skip)(
    'GIVEN several processes THEN each is listed with its shards and heartbeat, and stopped ones are gone',
    async () => {
      const a = await instance('shard-a');
      const b = await instance('shard-b');
      const listed = await a.manager.listInstances();
      expect(listed.map((i) => [i.id, i.state, i.self, i.pid, i.version]).sort()).toEqual([
        ['shard-a', 'running', true, process.pid, '0.1.0'],
        ['shard-b', 'running', false, process.pid, '0.1.0'],
      ]);
      await b.manager.shutdown();
      const after = await a.manager.listInstances();
      expect(after.find((i) => i.id === 'shard-b')?.state).toBe('gone');
      expect(after.find((i) => i.id === 'shard-a')?.state).toBe('running');
      // A process that died without stopping misses its heartbeats.
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      await db.repos.instances.update(
        { lastSeenAt: new Date(Date.now() - 60_000) },
        { where: { id: 'shard-a' } },
      );
      await db.close();
      expect((await a.manager.listInstances()).find((i) => i.id === 'shard-a')?.state).toBe('gone');
    },
  );

  it.skipIf(skip)(
    'GIVEN the CLI changes state while the bot runs THEN a process started later and one running agree',
    async () => {
      const a = await instance('bot');
      const cli = await instance('cli');
      await cli.manager.disableService('audit-sink', { actor: 'root', adapter: 'cli' });
      await cli.manager.shutdown();
      await expect.poll(() => a.manager.isEnabled('audit-sink'), { timeout: 3_000 }).toBe(false);
      const late = await instance('late');
      expect(late.manager.isEnabled('audit-sink')).toBe(false);
      expect(late.sink.calls).toEqual([]);
    },
  );
});

describe('the PostgreSQL change listener', async () => {
  const skip = await shouldSkip('postgres');
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
  });

  it.skipIf(skip)(
    'GIVEN the listener connection dies THEN it reconnects and applies what changed meanwhile',
    async () => {
      testDb = await createTestDatabase('postgres');
      const make = async (name: string, resyncIntervalMs: number) => {
        const probe = new Probe(GREETER);
        const manager = new ServiceRegistryManager({
          database: { url: (testDb as TestDatabase).url },
          discovery: { root: (testDb as TestDatabase).dir },
          instanceId: name,
          processHealth: false,
          health: { schedule: false },
          config: { env: {} },
          sync: { reconnectMinMs: 300, resyncIntervalMs },
        });
        manager.registerService(probe);
        managers.push(manager);
        await manager.start();
        return { manager, probe };
      };
      const a = await make('a', 60_000);
      const b = await make('b', 60_000);
      const feed = (
        b.manager as unknown as { feed: { listenerPid: number | undefined; connections: number } }
      ).feed;
      await expect.poll(() => feed.listenerPid).toBeGreaterThan(0);
      const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await admin.connect();
      try {
        await admin.query('SELECT pg_terminate_backend($1)', [feed.listenerPid]);
        // Changed while b's listener is down: the notification is lost, the change is not.
        await a.manager.updateConfig('greeter', { word: 'hallo' }, { actor: 'x', adapter: 'cli' });
        await expect.poll(() => feed.connections, { timeout: 5_000 }).toBe(2);
        await expect.poll(() => b.probe.getConfig(), { timeout: 5_000 }).toEqual({ word: 'hallo' });
      } finally {
        await admin.end();
      }
    },
  );
});
