import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConfig,
  createLogger,
  type JsonObject,
  type LogRecord,
  normalizeMetadata,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { activeResources, closedPort, selfSignedCertificate, waitFor } from '@servicedeck/plugin-kit/testing';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describePostgresError,
  POSTGRES_CONFIG_SCHEMA,
  POSTGRES_PLUGIN_VERSION,
  PostgresService,
} from '../src/index.js';
import { type FakePostgres, startFakePostgres } from './support/fake-postgres.js';
import {
  backends,
  contextLoggingTo,
  eventually,
  PG_PORT,
  runningQueries,
  terminateBackends,
  uniqueApplicationName,
  withAdmin,
} from './support/postgres.js';
import { startSilentServer, startTcpProxy, type TcpServer } from './support/tcp.js';

const certificate = selfSignedCertificate();

const services: PostgresService[] = [];
const servers: (TcpServer | FakePostgres)[] = [];
const heldClients: pg.PoolClient[] = [];

afterEach(async () => {
  for (const client of heldClients.splice(0)) client.release();
  for (const service of services.splice(0)) await service.disable();
  for (const server of servers.splice(0)) await server.close();
});

/** Settings of the machine's server, with an application_name of the test's own. */
function local(overrides: JsonObject = {}): JsonObject {
  return {
    host: '127.0.0.1',
    port: PG_PORT,
    database: 'test',
    user: 'postgres',
    applicationName: uniqueApplicationName(),
    ...overrides,
  };
}

/** The configuration as core hands it to the service: validated, defaults applied. */
function validated(config: JsonObject): JsonObject {
  const checked = checkConfig(POSTGRES_CONFIG_SCHEMA, config, 'postgres');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

/** Configures a service as the manager does, then enables it. */
async function enabledService(config: JsonObject, logs?: LogRecord[]): Promise<PostgresService> {
  const service = new PostgresService(logs ? contextLoggingTo(logs) : undefined);
  services.push(service);
  await service.updateConfig(validated(config));
  await service.enable();
  return service;
}

async function server<T extends TcpServer | FakePostgres>(started: Promise<T>): Promise<T> {
  const running = await started;
  servers.push(running);
  return running;
}

describe('PostgresService metadata and configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the url and password marked secret', async () => {
    const metadata = normalizeMetadata(new PostgresService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'postgres', type: 'external', version: pkg.version });
    expect(POSTGRES_PLUGIN_VERSION).toBe(pkg.version);
    const properties = (metadata.configSchema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(Object.keys(properties).filter((key) => properties[key]?.['x-secret'] === true)).toEqual([
      'url',
      'password',
    ]);
  });

  it('GIVEN a url only THEN core fills in the pool defaults', () => {
    expect(checkConfig(POSTGRES_CONFIG_SCHEMA, { url: 'postgres://bot@db:5432/bot' }, 'postgres')).toEqual({
      config: {
        url: 'postgres://bot@db:5432/bot',
        max: 10,
        idleTimeoutMs: 10_000,
        connectionTimeoutMs: 5_000,
        applicationName: 'servicedeck',
        closeTimeoutMs: 5_000,
      },
      problems: [],
    });
  });

  it('GIVEN nothing, or a host without a database THEN core says which settings are missing', () => {
    const messages = (config: JsonObject): string[] =>
      checkConfig(POSTGRES_CONFIG_SCHEMA, config, 'postgres').problems.map((p) => p.message);
    expect(messages({})).toEqual(['either url, or host and database, is required']);
    expect(messages({ host: 'db' })).toEqual(['either url, or database, is required']);
    expect(messages({ host: 'db', database: 'bot' })).toEqual([]);
  });

  it('GIVEN invalid settings THEN core names every one of them', () => {
    const { problems } = checkConfig(
      POSTGRES_CONFIG_SCHEMA,
      { url: 'mysql://db/bot', port: 0, sslMode: 'prefer', max: 0, sslCa: 'not a certificate', extra: 1 },
      'postgres',
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/extra',
      '/max',
      '/port',
      '/sslCa',
      '/sslMode',
      '/url',
    ]);
  });

  it('GIVEN settings pg would misread THEN enabling fails with words and without quoting the url', async () => {
    const refused = async (config: JsonObject): Promise<string> => {
      const service = new PostgresService();
      services.push(service);
      await service.updateConfig(validated(config));
      return service.enable().then(
        () => 'enabled',
        (error: Error) => error.message,
      );
    };
    expect(await refused({ url: 'postgres://u:s3cret@db/bot', host: 'db', password: 'x' })).toBe(
      'set either url or host, port, database, user, password, not both (host, password given beside url)',
    );
    expect(await refused({ url: 'postgres://u:s3cret@db' })).toBe(
      'url names no database; expected postgres://user:password@host:5432/database',
    );
    expect(await refused({ url: 'postgres://u:s3cret@db/bot?connect_timeout=3' })).toBe(
      'url parameter "connect_timeout" is not supported; use the settings (sslMode, sslCa, applicationName, statementTimeoutMs…) instead',
    );
    expect(await refused({ url: 'postgres://u:s3cret@db/bot?sslmode=prefer' })).toBe(
      'url sslmode "prefer" is not supported; use one of disable, require, verify-ca, verify-full',
    );
    expect(await refused(local({ sslCa: '-----BEGIN CERTIFICATE-----\n…' }))).toBe(
      'sslCa is set but sslMode is disable; set sslMode to verify-full (or verify-ca)',
    );
  });
});

describe('PostgresService.healthCheck against the real server', () => {
  it('GIVEN the local server THEN the check is active with the latency, the server version and the pool use', async () => {
    const service = await enabledService(local());
    const result = await service.healthCheck();
    expect(result.status).toBe('active');
    expect(result.message).toMatch(/^SELECT 1 in \d+ ms; PostgreSQL \d+\.\d+; pool 0\/10 in use$/);
    expect(result.details).toEqual({
      latencyMs: expect.any(Number),
      serverVersion: expect.stringMatching(/^\d+\.\d+/),
      poolTotal: 0,
      poolIdle: 0,
      poolWaiting: 0,
      poolMax: 10,
      saturated: false,
    });
    // The probe's connection went back to the pool.
    expect(service.client.idleCount).toBe(1);
    expect((await service.healthCheck()).message).toMatch(/; pool 0\/10 in use$/);
  });

  it('GIVEN a url THEN the pool connects with it and shows its application_name to the server', async () => {
    const applicationName = uniqueApplicationName();
    const service = await enabledService({
      url: `postgres://postgres@127.0.0.1:${PG_PORT}/test`,
      applicationName,
    });
    const { rows } = await service.client.query<{ db: string; app: string }>(
      "SELECT current_database() AS db, current_setting('application_name') AS app",
    );
    expect(rows).toEqual([{ db: 'test', app: applicationName }]);
    expect(await backends(applicationName)).toBe(1);
  });

  it('GIVEN a database that does not exist THEN the check says so with its SQLSTATE', async () => {
    const database = `servicedeck_missing_p${process.pid}`;
    const service = await enabledService(local({ database }));
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `database "${database}" does not exist (3D000)`,
      details: { reason: 'database-missing', code: '3D000' },
    });
  });

  it('GIVEN a role that does not exist THEN the check says authentication failed and names it', async () => {
    const user = `servicedeck_nobody_p${process.pid}`;
    const service = await enabledService(local({ user }));
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `authentication failed: role "${user}" does not exist (28000)`,
      details: { reason: 'authentication', code: '28000' },
    });
  });

  it('GIVEN a wrong password (a server speaking the wire protocol refuses it) THEN the check says authentication failed for that user', async () => {
    const fake = await server(startFakePostgres());
    const applicationName = uniqueApplicationName();
    const service = await enabledService({
      host: '127.0.0.1',
      port: fake.port,
      database: 'bot',
      user: 'bot',
      password: 'wrong-password',
      applicationName,
    });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'authentication failed for user "bot" (28P01)',
      details: { reason: 'authentication', code: '28P01' },
    });
    expect(fake.passwords).toEqual(['wrong-password']);
    expect(fake.startups).toEqual([
      expect.objectContaining({ user: 'bot', database: 'bot', application_name: applicationName }),
    ]);
  });

  it('GIVEN nothing listening on the port THEN the check says the connection was refused', async () => {
    const port = await closedPort();
    const service = await enabledService(local({ port }));
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
  });

  it('GIVEN a server that never answers THEN the check fails after connectionTimeoutMs', async () => {
    const silent = await server(startSilentServer());
    const service = await enabledService(local({ port: silent.port, connectionTimeoutMs: 300 }));
    const started = performance.now();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connecting to 127.0.0.1:${silent.port} timed out after 300 ms`,
      details: { reason: 'timeout' },
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    await waitFor(() => silent.openConnections() === 0);
  });

  it('GIVEN a check whose signal aborts first THEN it answers at once and the attempt ends at connectionTimeoutMs', async () => {
    const silent = await server(startSilentServer());
    const service = await enabledService(local({ port: silent.port, connectionTimeoutMs: 1_500 }));
    const started = performance.now();
    const result = await service.healthCheck(AbortSignal.timeout(200));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toMatchObject({ status: 'error', details: { reason: 'timeout' } });
    expect(result.message).toMatch(
      new RegExp(`^no answer from 127\\.0\\.0\\.1:${silent.port} within \\d+ ms$`),
    );
    expect(silent.openConnections()).toBe(1);
    await waitFor(() => silent.openConnections() === 0, 5_000);
  });

  it('GIVEN a connection still being opened WHEN the service is disabled THEN it is closed after closeTimeoutMs', async () => {
    const silent = await server(startSilentServer());
    const service = await enabledService(
      local({ port: silent.port, connectionTimeoutMs: 60_000, closeTimeoutMs: 100 }),
    );
    const attempt = service.client.query('SELECT 1').catch((thrown: unknown) => thrown);
    await waitFor(() => silent.openConnections() === 1);
    await service.disable();
    await waitFor(() => silent.openConnections() === 0);
    expect(await attempt).toBeInstanceOf(Error);
  });

  describe('with a role limited to one connection', () => {
    const role = `servicedeck_test_p${process.pid}_limited`;
    beforeAll(async () => {
      await withAdmin(async (admin) => {
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
        await admin.query(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`);
      });
    });
    afterAll(async () => {
      await withAdmin(async (admin) => {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
          role,
        ]);
        await admin.query(`DROP ROLE IF EXISTS ${role}`);
      });
    });

    it('GIVEN the server refuses another connection THEN the check says too many connections', async () => {
      const other = new pg.Client({ host: '127.0.0.1', port: PG_PORT, database: 'test', user: role });
      await other.connect();
      try {
        const service = await enabledService(local({ user: role }));
        expect(await service.healthCheck()).toEqual({
          status: 'error',
          message: `too many connections: too many connections for role "${role}" (53300)`,
          details: { reason: 'too-many-connections', code: '53300' },
        });
      } finally {
        await other.end();
      }
    });
  });

  it('GIVEN sslMode require and a server without SSL THEN the check says the server does not support it', async () => {
    const service = await enabledService(local({ sslMode: 'require' }));
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `127.0.0.1:${PG_PORT} does not support SSL connections; set sslMode to disable`,
      details: { reason: 'tls' },
    });
  });

  it.skipIf(!certificate)(
    'GIVEN verify-full and a self-signed server certificate THEN the check refuses it, and accepts it once sslCa names it',
    async () => {
      const cert = certificate as { key: string; cert: string };
      const fake = await server(startFakePostgres(cert));
      const settings = { host: '127.0.0.1', port: fake.port, database: 'bot', user: 'bot', password: 'pw' };
      const unverified = await enabledService({ ...settings, sslMode: 'verify-full' });
      expect(await unverified.healthCheck()).toEqual({
        status: 'error',
        message: `invalid TLS certificate from 127.0.0.1:${fake.port}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
        details: { reason: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      });
      expect(fake.passwords).toEqual([]);
      // With the certificate as the authority, the login goes on over TLS (and the fake server refuses it).
      const verified = await enabledService({ ...settings, sslMode: 'verify-full', sslCa: cert.cert });
      expect(await verified.healthCheck()).toMatchObject({ status: 'error', details: { code: '28P01' } });
      const encrypted = await enabledService({ ...settings, sslMode: 'require' });
      expect(await encrypted.healthCheck()).toMatchObject({ status: 'error', details: { code: '28P01' } });
      expect(fake.sslRequests).toEqual([true, true, true]);
      expect(fake.passwords).toEqual(['pw', 'pw']);
    },
  );

  it('GIVEN every connection of the pool borrowed and a caller waiting THEN the check is active and warns that the pool is saturated', async () => {
    const service = await enabledService(local({ max: 2 }));
    const pool = service.client;
    heldClients.push(await pool.connect(), await pool.connect());
    const queued = pool.query('SELECT 1');
    await waitFor(() => pool.waitingCount === 1);
    const result = await service.healthCheck();
    expect(result.status).toBe('active');
    expect(result.message).toMatch(
      /^SELECT 1 in \d+ ms; PostgreSQL \d+\.\d+; warning: pool saturated, 2\/2 in use, 1 waiting for a connection$/,
    );
    expect(result.details).toMatchObject({
      poolTotal: 2,
      poolIdle: 0,
      poolWaiting: 1,
      poolMax: 2,
      saturated: true,
    });
    // The check used a connection of its own and closed it; the pool still holds two.
    expect(pool.totalCount).toBe(2);
    heldClients.shift()?.release();
    await expect(queued).resolves.toMatchObject({ rowCount: 1 });
  });

  it('GIVEN statementTimeoutMs THEN the server cancels a longer statement and explain() says why', async () => {
    const service = await enabledService(local({ statementTimeoutMs: 200 }));
    const { rows } = await service.client.query<{ statement_timeout: string }>('SHOW statement_timeout');
    expect(rows).toEqual([{ statement_timeout: '200ms' }]);
    const error = await service.client.query('SELECT pg_sleep(5)').catch((thrown: unknown) => thrown);
    expect(service.explain(error)).toBe('query canceled: statement timeout (57014)');
  });
});

describe('PostgresService when the server restarts while enabled', () => {
  it('GIVEN idle connections ended by the server THEN the process survives, the loss is logged and the next check reconnects', async () => {
    const logs: LogRecord[] = [];
    const applicationName = uniqueApplicationName();
    const service = await enabledService(local({ applicationName }), logs);
    expect((await service.healthCheck()).status).toBe('active');
    expect(await backends(applicationName)).toBe(1);

    expect(await terminateBackends(applicationName)).toBe(1);
    await waitFor(() => logs.some((record) => record.message === 'idle connection lost'), 5_000);
    expect(logs.find((record) => record.message === 'idle connection lost')).toMatchObject({
      level: 'warn',
      fields: {
        service: 'postgres',
        reason:
          'connection terminated by the server: it is shutting down or an administrator ended it (57P01)',
        code: '57P01',
      },
    });
    expect(service.client.totalCount).toBe(0);

    expect((await service.healthCheck()).status).toBe('active');
    expect(await backends(applicationName)).toBe(1);
  });

  it('GIVEN a query running when its connection is ended THEN the query fails in words and the pool recovers', async () => {
    const applicationName = uniqueApplicationName();
    const service = await enabledService(local({ applicationName }));
    const running = service.client.query('SELECT pg_sleep(10)').catch((thrown: unknown) => thrown);
    await eventually(async () => (await runningQueries(applicationName)) === 1);
    expect(await terminateBackends(applicationName)).toBe(1);
    expect(service.explain(await running)).toBe(
      'connection terminated by the server: it is shutting down or an administrator ended it (57P01)',
    );
    expect((await service.client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('GIVEN the server goes away and comes back on the same port THEN the check says connection refused, then is active again', async () => {
    const logs: LogRecord[] = [];
    const proxy = await server(startTcpProxy(PG_PORT));
    const service = await enabledService(local({ port: proxy.port }), logs);
    expect((await service.healthCheck()).status).toBe('active');

    await proxy.stop();
    await waitFor(() => logs.some((record) => record.message === 'idle connection lost'), 5_000);
    expect(logs.find((record) => record.message === 'idle connection lost')?.fields).toMatchObject({
      reason: `connection to 127.0.0.1:${proxy.port} closed unexpectedly (server restarted, or the network dropped it)`,
    });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${proxy.port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });

    await proxy.start();
    expect((await service.healthCheck()).status).toBe('active');
    expect((await service.client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });
});

describe('PostgresService lifecycle', () => {
  it('GIVEN enable THEN no connection is opened until the pool is used, and a server that is down does not stop it', async () => {
    const applicationName = uniqueApplicationName();
    await enabledService(local({ applicationName }));
    expect(await backends(applicationName)).toBe(0);
    const port = await closedPort();
    const down = await enabledService(local({ port }));
    expect(down.enabled).toBe(true);
  });

  it('GIVEN used connections WHEN the service is disabled THEN the server sees them closed and no socket or timer is left', async () => {
    const applicationName = uniqueApplicationName();
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');
    const service = await enabledService(local({ applicationName }));
    await Promise.all([1, 2, 3].map(() => service.client.query('SELECT pg_sleep(0.05)')));
    expect((await service.healthCheck()).status).toBe('active');
    expect(await backends(applicationName)).toBe(3);
    expect(activeResources('TCPSocketWrap')).toBeGreaterThan(sockets);

    await service.disable();
    expect(service.enabled).toBe(false);
    expect(() => service.client).toThrow(expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }));
    expect(await service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
    expect(await backends(applicationName)).toBe(0);
  });

  it('GIVEN a connection the bot never releases WHEN the service is disabled THEN it is closed after closeTimeoutMs', async () => {
    const logs: LogRecord[] = [];
    const applicationName = uniqueApplicationName();
    const service = await enabledService(local({ applicationName, closeTimeoutMs: 200 }), logs);
    const borrowed = await service.client.connect();
    borrowed.on('error', () => undefined);
    const started = performance.now();
    await service.disable();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'connections still borrowed when the pool closed; closing them',
        fields: expect.objectContaining({ borrowed: 1, waitedMs: 200 }),
      }),
    );
    await expect(borrowed.query('SELECT 1')).rejects.toThrow();
    expect(await backends(applicationName)).toBe(0);
  });

  it('GIVEN new settings while enabled THEN the bot gets a pool on the new database and the old pool is closed', async () => {
    const first = uniqueApplicationName();
    const service = await enabledService(local({ applicationName: first }));
    const old = service.client;
    await old.query('SELECT 1');
    expect(await backends(first)).toBe(1);

    const second = uniqueApplicationName();
    await service.updateConfig(validated(local({ database: 'postgres', applicationName: second })));
    expect(service.client).not.toBe(old);
    const { rows } = await service.client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows).toEqual([{ db: 'postgres' }]);
    expect(old.ended).toBe(true);
    expect(await backends(first)).toBe(0);
  });

  it('GIVEN new settings that do not work THEN they are refused in words and the bot keeps its pool', async () => {
    const service = await enabledService(local());
    const pool = service.client;
    const database = `servicedeck_missing_p${process.pid}`;
    await expect(service.updateConfig(validated(local({ database })))).rejects.toThrow(
      `the new settings were not applied: database "${database}" does not exist (3D000); the previous client is still in use`,
    );
    expect(service.client).toBe(pool);
    expect((await pool.query('SELECT current_database() AS db')).rows).toEqual([{ db: 'test' }]);
  });

  it('GIVEN the same settings again THEN the pool in use is kept', async () => {
    const config = validated(local());
    const service = await enabledService(config);
    const pool = service.client;
    await service.updateConfig({ ...config });
    expect(service.client).toBe(pool);
    expect(pool.ended).toBe(false);
  });

  it('GIVEN errors of every kind THEN describePostgresError words them with the server address', () => {
    const where = { where: 'db.internal:5432', connectionTimeoutMs: 5000 };
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.5',
      port: 5432,
    });
    expect(describePostgresError(refused, where)).toEqual({
      kind: 'connection-refused',
      message: 'connection refused by 10.0.0.5:5432',
      code: 'ECONNREFUSED',
    });
    expect(describePostgresError(new Error('timeout exceeded when trying to connect'), where)).toEqual({
      kind: 'pool-exhausted',
      message: 'no free connection in the pool after 5000 ms: every connection is in use',
      code: undefined,
    });
    const shuttingDown = Object.assign(new Error('the database system is shutting down'), {
      code: '57P03',
      severity: 'FATAL',
    });
    expect(describePostgresError(shuttingDown, where).message).toBe(
      'the server is not accepting connections: the database system is shutting down (57P03)',
    );
  });
});

describe('PostgresService in a ServiceRegistryManager', () => {
  let dir: string | undefined;
  let manager: ServiceRegistryManager | undefined;
  const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
    manager = undefined;
    dir = undefined;
  });

  async function startManager(logs: LogRecord[]): Promise<ServiceRegistryManager> {
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-postgres-host-'));
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: PACKAGE_ROOT, serviceGlobs: ['src/*.service.ts'], scanDependencies: false },
      config: { cwd: dir, env: {} },
      health: { schedule: false },
      logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
    });
    await manager.start();
    return manager;
  }

  it('GIVEN no settings THEN it waits as not configured; configured THEN it starts; wrong credentials THEN they are refused and the pool stays', async () => {
    const logs: LogRecord[] = [];
    const fake = await server(startFakePostgres());
    const m = await startManager(logs);
    expect(m.getServiceInfo('postgres')).toMatchObject({
      type: 'external',
      version: POSTGRES_PLUGIN_VERSION,
      status: 'inactive',
      statusMessage: 'not configured: either url, or host and database, is required',
      running: false,
    });
    expect(() => m.getService('postgres')).toThrow(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );

    const applicationName = uniqueApplicationName();
    const actor = { actor: 'alice', adapter: 'test' };
    const result = await m.updateConfig(
      'postgres',
      { url: `postgres://postgres:first-secret@127.0.0.1:${PG_PORT}/test`, applicationName },
      actor,
    );
    expect(result.applied).toBe('started');
    expect(await m.checkHealth('postgres', { fresh: true })).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^SELECT 1 in \d+ ms; PostgreSQL /),
    });
    const service = m.getService<PostgresService>('postgres');
    const pool = service.client;
    expect(await backends(applicationName)).toBe(1);

    const rejected = m.updateConfig(
      'postgres',
      {
        url: null,
        host: '127.0.0.1',
        port: fake.port,
        database: 'bot',
        user: 'bot',
        password: 'second-secret',
      },
      actor,
    );
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrow(/authentication failed for user "bot" \(28P01\)/);
    expect(fake.passwords).toEqual(['second-secret']);
    expect(m.getService<PostgresService>('postgres').client).toBe(pool);
    expect((await pool.query('SELECT current_database() AS db')).rows).toEqual([{ db: 'test' }]);

    const view = await m.getConfig('postgres');
    expect(view.values).toMatchObject({ url: '••••••', applicationName });
    const shown = JSON.stringify([view, await m.configHistory('postgres'), await m.auditLog()]);
    expect(shown).not.toContain('first-secret');
    expect(shown).not.toContain('second-secret');
    expect(JSON.stringify(logs)).not.toContain('first-secret');

    await m.shutdown();
    expect(service.enabled).toBe(false);
    expect(await backends(applicationName)).toBe(0);
  });
});
