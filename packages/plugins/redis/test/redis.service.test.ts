import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConfig,
  createLogger,
  type HealthCheckResult,
  type JsonObject,
  type LogRecord,
  normalizeMetadata,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { activeResources, closedPort, selfSignedCertificate, waitFor } from '@servicedeck/plugin-kit/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeRedisError, REDIS_CONFIG_SCHEMA, REDIS_PLUGIN_VERSION, RedisService } from '../src/index.js';
import { healthyResult, parseInfo, serverFacts } from '../src/info.js';
import { killAll, startRedis } from './support/redis-server.js';
import { type SilentServer, startSilentServer } from './support/silent-server.js';

const certificate = selfSignedCertificate();

/** The machine's Redis, for the happy path (each test under a key prefix of its own). */
const LOCAL_PORT = 6379;

const services: RedisService[] = [];
const admins: Redis[] = [];
const silentServers: SilentServer[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const admin of admins.splice(0)) admin.disconnect();
  for (const server of silentServers.splice(0)) await server.close();
  await killAll();
});
afterAll(killAll);

let counter = 0;
/** A key prefix no other test uses. */
function uniquePrefix(): string {
  counter += 1;
  return `sd-redis-test:${process.pid}:${counter}:`;
}

/** The configuration as core hands it to the service: validated, defaults applied. */
function validated(config: JsonObject): JsonObject {
  const checked = checkConfig(REDIS_CONFIG_SCHEMA, config, 'redis');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

function contextLoggingTo(logs: LogRecord[]) {
  const metadata = normalizeMetadata(new RedisService().getMetadata(), 'test');
  const logger = createLogger({ level: 'debug', sink: (record) => logs.push(record) }).child({
    service: 'redis',
  });
  return { id: 'redis', metadata, logger };
}

/** Configures a service as the manager does, then enables it. */
async function enabledService(config: JsonObject, logs?: LogRecord[]): Promise<RedisService> {
  const service = new RedisService(logs ? contextLoggingTo(logs) : undefined);
  services.push(service);
  await service.updateConfig(validated(config));
  await service.enable();
  return service;
}

/** A plain client of the test's own, to prepare and inspect a server. */
async function admin(port: number, password?: string): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, ...(password ? { password } : {}), lazyConnect: true });
  admins.push(client);
  await client.connect();
  return client;
}

/** Checks the service until `accept` takes the result, or fails with the last one after `timeoutMs`. */
async function checkUntil(
  service: RedisService,
  accept: (result: HealthCheckResult) => boolean,
  timeoutMs = 10_000,
): Promise<HealthCheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await service.healthCheck(AbortSignal.timeout(2_000));
    if (accept(result)) return result;
    if (Date.now() > deadline) throw new Error(`last check: ${JSON.stringify(result)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('RedisService metadata and configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the url and password marked secret', async () => {
    const metadata = normalizeMetadata(new RedisService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'redis', type: 'external', version: pkg.version });
    expect(REDIS_PLUGIN_VERSION).toBe(pkg.version);
    const properties = (metadata.configSchema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(Object.keys(properties).filter((key) => properties[key]?.['x-secret'] === true)).toEqual([
      'url',
      'password',
    ]);
  });

  it('GIVEN a host only THEN core fills in the defaults', () => {
    expect(checkConfig(REDIS_CONFIG_SCHEMA, { host: 'cache' }, 'redis')).toEqual({
      config: { host: 'cache', connectTimeoutMs: 5_000 },
      problems: [],
    });
  });

  it('GIVEN neither url nor host, or invalid settings THEN core says what is wrong', () => {
    expect(checkConfig(REDIS_CONFIG_SCHEMA, {}, 'redis').problems.map((p) => p.message)).toEqual([
      'either url, or host, is required',
    ]);
    const { problems } = checkConfig(
      REDIS_CONFIG_SCHEMA,
      { url: 'http://cache', db: -1, tls: 'yes', keyPrefix: '', extra: 1 },
      'redis',
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['/db', '/extra', '/keyPrefix', '/tls', '/url']);
  });

  it('GIVEN settings ioredis would misread THEN enabling fails with words and without quoting the url', async () => {
    const refused = async (config: JsonObject): Promise<string> => {
      const service = new RedisService();
      services.push(service);
      await service.updateConfig(validated(config));
      return service.enable().then(
        () => 'enabled',
        (error: Error) => error.message,
      );
    };
    expect(await refused({ url: 'redis://:s3cret@cache:6379', host: 'cache', db: 2 })).toBe(
      'set either url or host, port, username, password, db, tls, not both (host, db given beside url)',
    );
    expect(await refused({ url: 'redis://:s3cret@cache:6379/zero' })).toBe(
      'url path must be a database number; expected redis://user:password@host:6379/0 (or rediss:// for TLS)',
    );
    expect(await refused({ url: 'redis://:s3cret@cache:6379/0?family=6' })).toBe(
      'url parameter "family" is not supported; use the settings (connectTimeoutMs, keyPrefix…) instead',
    );
    expect(await refused({ host: 'cache', tlsCa: '-----BEGIN CERTIFICATE-----\n…' })).toBe(
      'tlsCa is set but TLS is off; set tls to true or use a rediss:// url',
    );
  });
});

describe('RedisService against the machine’s Redis', () => {
  it('GIVEN the local server THEN the check is active with the latency, the server, its role and memory', async () => {
    const service = await enabledService({ host: '127.0.0.1', port: LOCAL_PORT, keyPrefix: uniquePrefix() });
    const result = await service.healthCheck();
    expect(result.status).toBe('active');
    expect(result.message).toMatch(
      /^PONG in \d+ ms; (Redis|Valkey) \d+\.\d+\.\d+ \(standalone\); memory \S+ /,
    );
    expect(result.details).toMatchObject({
      latencyMs: expect.any(Number),
      server: expect.stringMatching(/^(redis|valkey)$/),
      mode: 'standalone',
      role: 'master',
      usedMemory: expect.any(Number),
    });
  });

  it('GIVEN a url and a key prefix THEN the bot’s commands go to that database under the prefix', async () => {
    const keyPrefix = uniquePrefix();
    const service = await enabledService({ url: `redis://127.0.0.1:${LOCAL_PORT}/0`, keyPrefix });
    await service.client.set('greeting', 'hello', 'EX', 60);
    const raw = await admin(LOCAL_PORT);
    expect(await raw.get(`${keyPrefix}greeting`)).toBe('hello');
    expect(await service.client.get('greeting')).toBe('hello');
    await raw.del(`${keyPrefix}greeting`);
  });
});

describe('RedisService failure modes against its own redis-server', () => {
  it('GIVEN a server that requires a password THEN a missing, a wrong and a right password read as such', async () => {
    const server = await startRedis(['--requirepass', 'sekret']);
    const settings = { host: '127.0.0.1', port: server.port };
    const none = await enabledService(settings);
    expect(await checkUntil(none, (r) => r.status === 'error')).toEqual({
      status: 'error',
      message: 'authentication failed: the server requires a password (NOAUTH)',
      details: { reason: 'authentication', code: 'NOAUTH' },
    });
    const wrong = await enabledService({ ...settings, password: 'wrong' });
    expect(await checkUntil(wrong, (r) => r.status === 'error')).toEqual({
      status: 'error',
      message: 'authentication failed: wrong username or password (WRONGPASS)',
      details: { reason: 'authentication', code: 'WRONGPASS' },
    });
    const stranger = await enabledService({ ...settings, username: 'stranger', password: 'sekret' });
    expect((await checkUntil(stranger, (r) => r.status === 'error')).details).toEqual({
      reason: 'authentication',
      code: 'WRONGPASS',
    });
    const right = await enabledService({ ...settings, password: 'sekret' });
    expect((await right.healthCheck()).status).toBe('active');
  });

  it('GIVEN nothing listening THEN enable does not wait and the check says connection refused', async () => {
    const port = await closedPort();
    const started = performance.now();
    const service = await enabledService({ host: '127.0.0.1', port });
    expect(performance.now() - started).toBeLessThan(500);
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
  });

  it('GIVEN the server is killed and started again while enabled THEN the check says connection refused, then active, and the client works again', async () => {
    const logs: LogRecord[] = [];
    const server = await startRedis();
    const service = await enabledService({ host: '127.0.0.1', port: server.port }, logs);
    expect((await service.healthCheck()).status).toBe('active');
    await service.client.set('before', '1');

    await server.stop();
    expect(
      await checkUntil(service, (r) => r.message === `connection refused by 127.0.0.1:${server.port}`),
    ).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${server.port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });

    await server.start();
    expect((await checkUntil(service, (r) => r.status === 'active')).status).toBe('active');
    await service.client.set('after', '2');
    expect(await service.client.get('after')).toBe('2');
    // The data did not survive (no persistence); the client is the same object, reconnected.
    expect(await service.client.get('before')).toBeNull();
    const refusals = logs.filter((record) => record.message === 'connection error; reconnecting');
    expect(refusals.map((record) => record.fields.reason)).toContain(
      `connection refused by 127.0.0.1:${server.port}`,
    );
    expect(new Set(refusals.map((record) => record.fields.reason)).size).toBe(refusals.length);
    expect(logs.map((record) => record.message)).toContain('connection ready again');
  });

  it('GIVEN a server that accepts connections and never answers THEN the check says no reply within commandTimeoutMs', async () => {
    const silent = await startSilentServer();
    silentServers.push(silent);
    const service = await enabledService({ host: '127.0.0.1', port: silent.port, commandTimeoutMs: 300 });
    const result = await service.healthCheck();
    expect(result).toEqual({
      status: 'error',
      message: `no reply from 127.0.0.1:${silent.port} within 300 ms (commandTimeoutMs)`,
      details: { reason: 'timeout' },
    });
  });

  it('GIVEN a server that never answers and no command timeout THEN the check stops when its signal aborts', async () => {
    const silent = await startSilentServer();
    silentServers.push(silent);
    const service = await enabledService({ host: '127.0.0.1', port: silent.port });
    const started = performance.now();
    const result = await service.healthCheck(AbortSignal.timeout(300));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(result).toMatchObject({ status: 'error', details: { reason: 'timeout' } });
    expect(result.message).toMatch(
      new RegExp(`^no answer from 127\\.0\\.0\\.1:${silent.port} within \\d+ ms$`),
    );
    await service.disable();
    await waitFor(() => silent.openConnections() === 0);
  });

  it('GIVEN a server still loading its dataset THEN the check says LOADING with its progress, then becomes active', async () => {
    const server = await startRedis(['--enable-debug-command', 'local']);
    const raw = await admin(server.port);
    await raw.call('DEBUG', 'POPULATE', '20000', 'key', '100');
    await raw.call('SAVE');
    raw.disconnect();
    // Redis's own test setting: wait this many microseconds per key loaded, answering clients meanwhile.
    await server.start(['--key-load-delay', '200', '--loading-process-events-interval-bytes', '1024']);
    const service = await enabledService({ host: '127.0.0.1', port: server.port });
    const loading = await service.healthCheck();
    expect(loading).toMatchObject({
      status: 'error',
      details: { reason: 'loading', code: 'LOADING', loadedPercent: expect.any(Number) },
    });
    expect(loading.message).toMatch(
      /^the server is loading its dataset into memory \(LOADING\): \d+% done, about \d+ s left$/,
    );
    const ready = await checkUntil(service, (r) => r.status === 'active', 30_000);
    expect(ready.status).toBe('active');
    expect(await service.client.dbsize()).toBe(20_000);
  });

  it('GIVEN a replica THEN the check shows it is read-only, and a write reads as READONLY', async () => {
    const master = await startRedis();
    const replica = await startRedis(['--replicaof', '127.0.0.1', String(master.port)]);
    const service = await enabledService({ host: '127.0.0.1', port: replica.port });
    const result = await checkUntil(
      service,
      (r) => r.status === 'active' && r.details?.masterLinkDown === false,
    );
    expect(result.message).toMatch(
      new RegExp(
        `^PONG in \\d+ ms; Redis [\\d.]+ \\(standalone, read-only replica of 127\\.0\\.0\\.1:${master.port}\\); `,
      ),
    );
    expect(result.details).toMatchObject({ role: 'slave', master: `127.0.0.1:${master.port}` });
    const error = await service.client.set('key', 'value').catch((thrown: unknown) => thrown);
    expect(service.explain(error)).toBe('the server is a read-only replica (READONLY)');

    await master.stop();
    const down = await checkUntil(service, (r) => r.details?.masterLinkDown === true);
    expect(down.message).toMatch(/read-only replica of 127\.0\.0\.1:\d+, link to master down\); /);
  });

  it('GIVEN memory use above 90% of maxmemory THEN the check is active and warns', async () => {
    const server = await startRedis(['--maxmemory-policy', 'noeviction']);
    const raw = await admin(server.port);
    const service = await enabledService({ host: '127.0.0.1', port: server.port });
    const plenty = await service.healthCheck();
    expect(plenty.message).toMatch(/; memory \S+ used, no maxmemory$/);
    const used = Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1]);
    await raw.config('SET', 'maxmemory', String(Math.floor(used / 0.95)));
    const tight = await service.healthCheck();
    expect(tight.status).toBe('active');
    expect(tight.message).toMatch(/; warning: memory \S+ of \S+ \(9\d%\), above 90% of maxmemory$/);
    expect(tight.details?.memoryPercent).toBeGreaterThan(90);
  });

  it.skipIf(!certificate)(
    'GIVEN a TLS server with a self-signed certificate THEN the check refuses it, and accepts it once tlsCa names it',
    async () => {
      const cert = certificate as { key: string; cert: string };
      const server = await startRedis([], cert);
      const unverified = await enabledService({ host: '127.0.0.1', port: server.port, tls: true });
      expect(await checkUntil(unverified, (r) => r.status === 'error')).toEqual({
        status: 'error',
        message: `invalid TLS certificate from 127.0.0.1:${server.port}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
        details: { reason: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      });
      const verified = await enabledService({ url: `rediss://127.0.0.1:${server.port}`, tlsCa: cert.cert });
      expect((await verified.healthCheck()).status).toBe('active');
      await verified.client.set('over', 'tls');
      expect(await verified.client.get('over')).toBe('tls');
    },
  );

  it('GIVEN a rediss:// url to a server without TLS THEN the check says the connection timed out and asks about TLS', async () => {
    const server = await startRedis();
    const service = await enabledService({ url: `rediss://127.0.0.1:${server.port}`, connectTimeoutMs: 300 });
    expect(await checkUntil(service, (r) => r.status === 'error')).toEqual({
      status: 'error',
      message: `connecting to 127.0.0.1:${server.port} timed out (ETIMEDOUT); is TLS enabled on the server?`,
      details: { reason: 'timeout', code: 'ETIMEDOUT' },
    });
  });

  it('GIVEN the INFO of a Valkey server THEN the message names Valkey and its own version', () => {
    const info = parseInfo(
      '# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.0.1\r\nredis_mode:standalone\r\n',
      '# Memory\r\nused_memory:1048576\r\nused_memory_human:1.00M\r\nmaxmemory:10485760\r\nmaxmemory_human:10.00M\r\n',
      '# Replication\r\nrole:master\r\nconnected_slaves:0\r\n',
    );
    expect(healthyResult(2, serverFacts(info))).toEqual({
      status: 'active',
      message: 'PONG in 2 ms; Valkey 8.0.1 (standalone); memory 1.00M of 10.00M (10%)',
      details: {
        latencyMs: 2,
        server: 'valkey',
        version: '8.0.1',
        mode: 'standalone',
        role: 'master',
        usedMemory: 1_048_576,
        maxMemory: 10_485_760,
        memoryPercent: 10,
      },
    });
  });

  it('GIVEN errors of every kind THEN describeRedisError words them with the server address', () => {
    const where = { where: 'cache.internal:6379', commandTimeoutMs: 500 };
    const reply = (message: string): Error => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(describeRedisError(reply('OOM command not allowed when used memory > maxmemory.'), where)).toEqual(
      {
        kind: 'out-of-memory',
        message: 'out of memory: the server reached its maxmemory (OOM)',
        code: 'OOM',
      },
    );
    expect(
      describeRedisError(reply('NOPERM this user has no permissions to run the set command'), where).message,
    ).toBe('permission denied: this user has no permissions to run the set command (NOPERM)');
    expect(describeRedisError(new Error('Command timed out'), where).message).toBe(
      'no reply from cache.internal:6379 within 500 ms (commandTimeoutMs)',
    );
    const timedOut = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', syscall: 'connect' });
    expect(describeRedisError(timedOut, where)).toEqual({
      kind: 'timeout',
      message: 'connecting to cache.internal:6379 timed out (ETIMEDOUT)',
      code: 'ETIMEDOUT',
    });
  });
});

describe('RedisService lifecycle', () => {
  it('GIVEN a ready client WHEN the service is disabled THEN the server sees it leave and no socket or timer is left', async () => {
    const server = await startRedis();
    const raw = await admin(server.port);
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');
    const service = await enabledService({ host: '127.0.0.1', port: server.port, commandTimeoutMs: 1_000 });
    expect((await service.healthCheck()).status).toBe('active');
    expect(await raw.client('LIST')).toMatch(/cmd=info/);

    await service.disable();
    expect(service.enabled).toBe(false);
    expect(() => service.client).toThrow(expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }));
    expect(await service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
    expect(
      String(await raw.client('LIST'))
        .trim()
        .split('\n'),
    ).toHaveLength(1);
  });

  it('GIVEN a client reconnecting to a dead server WHEN the service is disabled THEN it stops reconnecting at once', async () => {
    const server = await startRedis();
    const service = await enabledService({ host: '127.0.0.1', port: server.port });
    expect((await service.healthCheck()).status).toBe('active');
    const client = service.client;
    await server.stop();
    await waitFor(() => client.status === 'reconnecting', 5_000);
    const sockets = activeResources('TCPSocketWrap');
    const started = performance.now();
    await service.disable();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    const timers = activeResources('Timeout');
    // No reconnection timer fires later: the count stays put through the longest retry delay.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
    expect(client.status).not.toBe('ready');
  });

  it('GIVEN new settings while enabled THEN the bot’s client talks to the new server and the old one is closed', async () => {
    const one = await startRedis();
    const two = await startRedis();
    await (await admin(one.port)).set('server', 'one');
    await (await admin(two.port)).set('server', 'two');
    const service = await enabledService({ host: '127.0.0.1', port: one.port });
    const old = service.client;
    expect(await old.get('server')).toBe('one');

    await service.updateConfig(validated({ host: '127.0.0.1', port: two.port }));
    expect(service.client).not.toBe(old);
    expect(await service.client.get('server')).toBe('two');
    expect(old.status).toBe('end');
  });

  it('GIVEN new settings that do not work THEN they are refused in words and the bot keeps its client', async () => {
    const one = await startRedis();
    const locked = await startRedis(['--requirepass', 'sekret']);
    const service = await enabledService({ host: '127.0.0.1', port: one.port });
    const client = service.client;
    await expect(
      service.updateConfig(validated({ host: '127.0.0.1', port: locked.port, password: 'wrong' })),
    ).rejects.toThrow(
      'the new settings were not applied: authentication failed: wrong username or password (WRONGPASS); the previous client is still in use',
    );
    expect(service.client).toBe(client);
    expect(await client.ping()).toBe('PONG');
  });

  it('GIVEN the same settings again THEN the client in use is kept', async () => {
    const config = validated({ host: '127.0.0.1', port: LOCAL_PORT });
    const service = await enabledService(config);
    const client = service.client;
    await service.updateConfig({ ...config });
    expect(service.client).toBe(client);
  });
});

describe('RedisService in a ServiceRegistryManager', () => {
  let dir: string | undefined;
  let manager: ServiceRegistryManager | undefined;
  const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
    manager = undefined;
    dir = undefined;
  });

  it('GIVEN no settings THEN it waits as not configured; configured THEN it starts; wrong credentials THEN they are refused and the client stays', async () => {
    const logs: LogRecord[] = [];
    const one = await startRedis(['--requirepass', 'first-secret']);
    const two = await startRedis(['--requirepass', 'right-secret']);
    await (await admin(one.port, 'first-secret')).set('server', 'one');
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-redis-host-'));
    const m = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: PACKAGE_ROOT, serviceGlobs: ['src/*.service.ts'], scanDependencies: false },
      config: { cwd: dir, env: {} },
      health: { schedule: false },
      logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
    });
    manager = m;
    await m.start();
    expect(m.getServiceInfo('redis')).toMatchObject({
      type: 'external',
      version: REDIS_PLUGIN_VERSION,
      status: 'inactive',
      statusMessage: 'not configured: either url, or host, is required',
      running: false,
    });

    const actor = { actor: 'alice', adapter: 'test' };
    const result = await m.updateConfig(
      'redis',
      { url: `redis://:first-secret@127.0.0.1:${one.port}/0` },
      actor,
    );
    expect(result.applied).toBe('started');
    expect(await m.checkHealth('redis', { fresh: true })).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^PONG in \d+ ms; /),
    });
    const client = m.getService<RedisService>('redis').client;

    const rejected = m.updateConfig(
      'redis',
      { url: null, host: '127.0.0.1', port: two.port, password: 'wrong-secret' },
      actor,
    );
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrow(/authentication failed: wrong username or password \(WRONGPASS\)/);
    expect(m.getService<RedisService>('redis').client).toBe(client);
    expect(await client.get('server')).toBe('one');

    const view = await m.getConfig('redis');
    expect(view.values).toMatchObject({ url: '••••••' });
    const shown = JSON.stringify([view, await m.configHistory('redis'), await m.auditLog(), logs]);
    expect(shown).not.toContain('first-secret');
    expect(shown).not.toContain('wrong-secret');

    await m.shutdown();
    expect(client.status).toBe('end');
  });
});
