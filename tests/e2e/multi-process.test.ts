/**
 * Several bot processes sharing one database, each a manager of the BUILT core in its own Node process
 * (`support/instance-child.mjs`, with services `db`, `cache` → db and `api` → cache): a change made in one
 * reaches the others (LISTEN/NOTIFY on PostgreSQL, revision polling on SQLite), a process whose listener
 * connection dies converges anyway, a process started later follows what was stored, processes starting
 * at once on an empty database share one catalog, and changes commit in the order of their revisions.
 */
import { existsSync } from 'node:fs';
import { type Database, openDatabase } from '@servicedeck/core';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  type Dialect,
  shouldSkip,
  TEST_PG_ADMIN_URL,
  type TestDatabase,
} from '../support/databases.js';
import {
  BUILT_CORE,
  databaseName,
  Instance,
  type InstanceOptions,
  type InstanceState,
  listenerPids,
  SERVICE_IDS,
  type ServiceId,
} from './support/instances.js';

function assertBuilt(): void {
  expect(
    existsSync(BUILT_CORE),
    `${BUILT_CORE} is missing: the child processes run the built core; run \`pnpm build\` (npm test does it)`,
  ).toBe(true);
}

/** What a process shows of each service: the gate, the live instance, and duplicate lifecycle calls. */
function follows(state: InstanceState): Record<ServiceId, string> {
  return Object.fromEntries(
    SERVICE_IDS.map((id) => {
      const s = state.services[id];
      return [id, `enabled=${s.enabled} running=${s.running} anomalies=${s.anomalies}`];
    }),
  ) as Record<ServiceId, string>;
}

/** What {@link follows} must show once a process follows `desired`. */
function expected(desired: Record<ServiceId, boolean>): Record<ServiceId, string> {
  return Object.fromEntries(
    SERVICE_IDS.map((id) => [id, `enabled=${desired[id]} running=${desired[id]} anomalies=0`]),
  ) as Record<ServiceId, string>;
}

function setup(dialect: Dialect) {
  const context: {
    testDb: TestDatabase | undefined;
    truth: Database | undefined;
    instances: Instance[];
  } = { testDb: undefined, truth: undefined, instances: [] };

  afterEach(async () => {
    // Always: no child outlives its test, whatever failed.
    await Promise.all(context.instances.splice(0).map((instance) => instance.kill()));
    await context.truth?.close();
    context.truth = undefined;
    await creating?.catch(() => undefined);
    creating = undefined;
    await context.testDb?.cleanup();
    context.testDb = undefined;
  });

  // One database per test, however many processes start at once.
  let creating: Promise<TestDatabase> | undefined;
  const database = (): Promise<TestDatabase> => {
    creating ??= createTestDatabase(dialect).then((testDb) => {
      context.testDb = testDb;
      return testDb;
    });
    return creating;
  };

  /** Starts a bot process and waits until its manager runs. */
  const launch = async (
    instanceId: string,
    extra: Pick<InstanceOptions, 'sync' | 'extraServices'> = {},
  ): Promise<Instance> => {
    const testDb = await database();
    const instance = new Instance({ url: testDb.url, instanceId, root: testDb.dir, ...extra });
    context.instances.push(instance);
    await instance.ready;
    return instance;
  };

  /** The desired state as committed in the database, and the newest revision. */
  const committed = async (): Promise<{ desired: Record<ServiceId, boolean>; revision: number }> => {
    context.truth ??= await openDatabase({ url: (await database()).url });
    const rows = await context.truth.repos.registry.findAll({ where: { id: [...SERVICE_IDS] } });
    const desired = Object.fromEntries(rows.map((row) => [row.id, row.enabled])) as Record<
      ServiceId,
      boolean
    >;
    const revision = ((await context.truth.repos.changes.max('revision')) as number | null) ?? 0;
    return { desired, revision };
  };

  return { context, database, launch, committed };
}

const ALL_ON = { db: true, cache: true, api: true } as const;
const ALL_OFF = { db: false, cache: false, api: false } as const;

describe.each(DIALECTS)('bot processes sharing one %s database', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const { launch, committed } = setup(dialect);

  it.skipIf(skip)(
    'GIVEN three processes WHEN one disables and another re-enables a chain THEN every process follows each change',
    async () => {
      assertBuilt();
      // The first process creates the catalog alone (see the concurrent first start below).
      const a = await launch('shard-0');
      const [b, c] = await Promise.all([launch('shard-1'), launch('shard-2')]);
      for (const instance of [a, b, c]) expect(follows(await instance.state())).toEqual(expected(ALL_ON));

      const disabled = await a.disable('db', true);
      expect(disabled.outcomes).toEqual(['ok', 'ok', 'ok']);
      expect((await committed()).desired).toEqual(ALL_OFF);
      for (const instance of [a, b, c]) {
        await expect
          .poll(async () => follows(await instance.state()), { timeout: 5_000, interval: 50 })
          .toEqual(expected(ALL_OFF));
      }

      await b.enable('api', true);
      expect((await committed()).desired).toEqual(ALL_ON);
      for (const instance of [a, b, c]) {
        await expect
          .poll(async () => follows(await instance.state()), { timeout: 5_000, interval: 50 })
          .toEqual(expected(ALL_ON));
        // Started once, stopped once, started once more: never a duplicate call.
        const { services } = await instance.state();
        for (const id of SERVICE_IDS) expect(services[id]).toMatchObject({ enables: 2, disables: 1 });
        // Dependencies start before their dependents, and stop after them, in every process.
        expect(instance.events.map((e) => `${e.action}:${e.id}`)).toEqual([
          'enable:db',
          'enable:cache',
          'enable:api',
          'disable:api',
          'disable:cache',
          'disable:db',
          'enable:db',
          'enable:cache',
          'enable:api',
        ]);
      }
    },
  );

  // The catalog sync is serialized (an advisory lock on PostgreSQL, the write lock on SQLite).
  it.skipIf(skip)(
    'GIVEN three processes starting at once on an empty database THEN every one starts on one shared catalog',
    async () => {
      assertBuilt();
      const started = await Promise.allSettled([launch('boot-0'), launch('boot-1'), launch('boot-2')]);
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual([
        'started',
        'started',
        'started',
      ]);
      expect((await committed()).desired).toEqual(ALL_ON);
    },
  );

  it.skipIf(skip)(
    'GIVEN a chain disabled and the process that did it gone THEN a process started later sees it disabled and never starts it',
    async () => {
      assertBuilt();
      const first = await launch('first');
      await first.disable('cache', true);
      expect(await first.stop()).toBe(0);

      const late = await launch('late');
      const state = await late.state();
      expect(follows(state)).toEqual(expected({ db: true, cache: false, api: false }));
      expect(state.services.cache).toMatchObject({ enables: 0, disables: 0, status: 'inactive' });
      expect(state.services.api).toMatchObject({ enables: 0, disables: 0, status: 'inactive' });
      expect(late.events.map((e) => `${e.action}:${e.id}`)).toEqual(['enable:db']);
    },
  );

  it.skipIf(skip)(
    'GIVEN a running host WHEN a short-lived CLI process disables a service THEN the host stops it within a second',
    async () => {
      assertBuilt();
      // The host uses the default sync settings: on SQLite a poll of the revision counter every 500 ms.
      const host = await launch('bot');
      const cli = await launch('cli');
      const from = host.events.length;
      const disabled = await cli.disable('api');
      expect(await cli.stop()).toBe(0);

      const applied = await host.waitForEvent((e) => e.id === 'api' && e.action === 'disable', 3_000, from);
      const latencyMs = applied.at - disabled.at;
      expect(
        latencyMs,
        `the host applied the change ${latencyMs.toFixed(0)} ms after its commit`,
      ).toBeLessThan(1_000);
      const state = await host.state();
      expect(follows(state)).toEqual(expected({ db: true, cache: true, api: false }));
      expect(state.services.api).toMatchObject({ enables: 1, disables: 1 });
    },
  );
});

describe('bot processes on PostgreSQL when notifications are lost or out of order', async () => {
  const skip = await shouldSkip('postgres');
  const { context, database, launch, committed } = setup('postgres');
  let admin: pg.Client | undefined;
  afterEach(async () => {
    await admin?.end();
    admin = undefined;
  });

  // A slow writer is played by hand with the statements recordChange() issues, so the interleaving is
  // certain: it takes the change lock and a revision, and a newer change must wait for its commit, so no
  // process can move past a revision that has not committed yet.
  it.skipIf(skip)(
    'GIVEN a change still uncommitted WHEN a newer one is made THEN the newer waits, and every process applies both',
    async () => {
      assertBuilt();
      const testDb = await database();
      const writer = await launch('writer', { extraServices: ['mail'] });
      const follower = await launch('follower', { extraServices: ['mail'] });
      const slow = new pg.Client({ connectionString: testDb.url });
      await slow.connect();
      try {
        await slow.query('BEGIN');
        await slow.query('SELECT pg_advisory_xact_lock(727263002)');
        const { rows } = await slow.query<{ revision: number }>(
          `INSERT INTO change_log (kind, entity_id, instance_id, created_at)
           VALUES ('state', 'mail', 'slow-writer', now()) RETURNING revision`,
        );
        const revision = rows[0]?.revision;
        await slow.query(`UPDATE service_registry SET enabled = false, revision = $1 WHERE id = 'mail'`, [
          revision,
        ]);
        await slow.query('SELECT pg_notify($1, $2)', [
          'servicedeck_changes',
          JSON.stringify({ kind: 'state', id: 'mail', revision }),
        ]);
        // The newer change cannot commit before the older one.
        const disabling = writer.disable('api');
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await follower.state()).services).toMatchObject({ api: { enabled: true, running: true } });
        await slow.query('COMMIT');
        await disabling;
      } finally {
        await slow.end();
      }
      expect((await committed()).desired).toMatchObject({ api: false });
      for (const instance of [writer, follower]) {
        await expect
          .poll(async () => (await instance.state()).services, { timeout: 2_000, interval: 50 })
          .toMatchObject({
            mail: { enabled: false, running: false },
            api: { enabled: false, running: false },
          });
      }
    },
  );

  it.skipIf(skip)(
    'GIVEN a burst of 51 toggles from one process WHEN another process loses its listener connection THEN every process converges to the last committed state',
    async () => {
      assertBuilt();
      const testDb = await database();
      const dbName = databaseName(testDb.url);
      admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await admin.connect();
      const client = admin;

      const writer = await launch('writer');
      const steady = await launch('steady');
      // The victim's listener is the LISTEN connection that appears when it starts.
      const before = await listenerPids(client, dbName);
      expect(before).toHaveLength(2);
      const victim = await launch('victim');
      const victimListener = (await listenerPids(client, dbName)).filter((pid) => !before.includes(pid));
      expect(victimListener).toHaveLength(1);

      // Alternately stop the cache (cascading to api) and start api (with its dependencies); the last
      // toggle (the 51st) stops them.
      const toggles = 51;
      let terminated: Promise<pg.QueryResult<{ pg_terminate_backend: boolean }>> | undefined;
      for (let i = 0; i < toggles; i++) {
        const reply = i % 2 === 0 ? await writer.disable('cache', true) : await writer.enable('api', true);
        expect(reply.steps, `toggle ${i}`).toBe(2);
        // Mid-burst, the victim's listener is killed while the toggles go on.
        if (i === 10) terminated = client.query('SELECT pg_terminate_backend($1)', [victimListener[0]]);
      }
      expect((await terminated)?.rows[0]?.pg_terminate_backend).toBe(true);

      const truth = await committed();
      const final = { db: true, cache: false, api: false };
      expect(truth.desired).toEqual(final);

      // It reconnected: three listeners again, the victim's with a new backend.
      await expect
        .poll(async () => listenerPids(client, dbName), { timeout: 5_000, interval: 50 })
        .toHaveLength(3);
      expect(await listenerPids(client, dbName)).not.toContain(victimListener[0]);

      for (const instance of [writer, steady, victim]) {
        await expect
          .poll(async () => follows(await instance.state()), { timeout: 5_000, interval: 50 })
          .toEqual(expected(final));
        // Each reached the newest revision (as recorded in the instances table).
        await expect
          .poll(async () => (await instance.state()).lastRevision, { timeout: 5_000, interval: 50 })
          .toBe(truth.revision);
        // Intermediate toggles may be coalesced, but lifecycle calls always alternate.
        const { services } = await instance.state();
        for (const id of ['cache', 'api'] as const) {
          expect(services[id].enables, `${instance.options.instanceId} ${id}`).toBe(services[id].disables);
          expect(instance.events.filter((e) => e.anomaly)).toEqual([]);
        }
      }
      // The writer applied every toggle itself; followers may coalesce toggles that arrive together.
      expect((await writer.state()).services.api.disables).toBe(26);
      expect(context.instances).toHaveLength(3);
    },
  );
});
