import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { startTestServer, type TestServer } from '../../../tests/support/http-server.js';
import { BaseService } from '../src/base-service.js';
import { REDACTED } from '../src/config/fields.js';
import { generateKey } from '../src/config/keyring.js';
import { ServiceRegistryManager, type ServiceRegistryManagerOptions } from '../src/manager.js';
import { openDatabase } from '../src/persistence/database.js';
import type { JsonObject, ServiceMetadataInput } from '../src/types.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const WEBHOOK: ServiceMetadataInput = {
  id: 'webhook',
  name: 'Webhook',
  type: 'external',
  healthCheck: { failureThreshold: 1 },
  configSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', format: 'uri' },
      token: { type: 'string', minLength: 8, 'x-secret': true },
      retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
    },
    required: ['url'],
    additionalProperties: false,
  },
};

/** A service that records every configuration it is given and checks `url` for health. */
class WebhookService extends BaseService {
  public readonly applied: JsonObject[] = [];
  public constructor(private readonly metadata: ServiceMetadataInput = WEBHOOK) {
    super();
  }
  public override getMetadata() {
    return this.metadata as never;
  }
  public override updateConfig(config: JsonObject) {
    if (config.retries === 7) throw new Error('7 retries is unlucky');
    this.applied.push(config);
    super.updateConfig(config);
  }
  public async healthCheck() {
    const response = await fetch(String(this.config.url));
    return response.ok
      ? ('active' as const)
      : { status: 'error' as const, message: `answered ${response.status}` };
  }
}

const admin = { actor: 'alice', adapter: 'cli' };

describe.each(DIALECTS)('configuration on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  const managers: ServiceRegistryManager[] = [];
  afterEach(async () => {
    for (const m of managers.splice(0)) if (m.state === 'running') await m.shutdown();
    await testDb?.cleanup();
    testDb = undefined;
  });

  async function start(service: WebhookService, extra: Partial<ServiceRegistryManagerOptions> = {}) {
    testDb ??= await createTestDatabase(dialect);
    const manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir },
      processHealth: false,
      health: { schedule: false },
      config: { env: {}, cwd: testDb.dir },
      ...extra,
    });
    manager.registerService(service);
    managers.push(manager);
    await manager.start();
    return manager;
  }

  it.skipIf(skip)(
    'GIVEN an unconfigured service THEN setting its required url starts it, validated and versioned',
    async () => {
      const service = new WebhookService();
      const m = await start(service);
      expect(m.getServiceInfo('webhook')).toMatchObject({
        status: 'inactive',
        statusMessage: 'not configured: url is required',
      });
      const result = await m.updateConfig('webhook', { url: `${server.url}/ok` }, admin);
      expect(result).toEqual({
        serviceId: 'webhook',
        version: 1,
        applied: 'started',
        changes: [{ key: 'url', to: `${server.url}/ok` }],
      });
      expect(m.getServiceInfo('webhook').running).toBe(true);
      expect(service.applied).toEqual([{ url: `${server.url}/ok`, retries: 3 }]);
      const view = await m.getConfig('webhook');
      expect(view).toMatchObject({
        version: 1,
        values: { url: `${server.url}/ok`, retries: 3 },
        problems: [],
        pendingRestart: false,
      });
      expect(view.fields.map((f) => [f.key, f.source, f.secret])).toEqual([
        ['url', 'stored', false],
        ['token', 'unset', true],
        ['retries', 'default', false],
      ]);
    },
  );

  it.skipIf(skip)(
    'GIVEN invalid settings THEN every invalid field is listed with its path and nothing is stored',
    async () => {
      const m = await start(new WebhookService());
      const error = await m
        .updateConfig('webhook', { url: 'not a url', retries: 50, colour: 'red' }, admin)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'SD_ERR_CONFIG_INVALID',
        message:
          'Invalid configuration for "webhook": /colour: colour is not a known setting; /url: must match format "uri"; /retries: must be <= 10. Fix the settings listed and try again; nothing was stored.',
      });
      expect((await m.getConfig('webhook')).version).toBe(0);
      const [entry] = await m.auditLog({ serviceId: 'webhook' });
      expect(entry).toMatchObject({
        action: 'config.update',
        result: 'failed',
        actor: 'alice',
        adapter: 'cli',
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN a secret THEN it is encrypted at rest and redacted in views, history and the audit log',
    async () => {
      const service = new WebhookService();
      const m = await start(service);
      await m.updateConfig('webhook', { url: `${server.url}/ok`, token: 'tok_supersecret' }, admin);
      expect(service.applied.at(-1)).toMatchObject({ token: 'tok_supersecret' });
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      const row = await db.repos.configuration.findOne({
        where: { serviceId: 'webhook', configKey: 'token' },
      });
      const versions = await db.repos.configVersions.findAll();
      await db.close();
      expect(row?.encrypted).toBe(true);
      expect(row?.keyId).toMatch(/^k-[0-9a-f]{12}$/);
      expect(row?.configValue).not.toContain('supersecret');
      expect(JSON.stringify(versions.map((v) => v.values))).not.toContain('supersecret');
      expect((await m.getConfig('webhook')).values.token).toBe(REDACTED);
      await m.updateConfig('webhook', { token: 'tok_rotated_value' }, admin);
      const [latest] = await m.configHistory('webhook');
      expect(latest).toMatchObject({ version: 2, changes: [{ key: 'token', from: REDACTED, to: REDACTED }] });
      const audit = JSON.stringify(await m.auditLog());
      expect(audit).not.toContain('supersecret');
      expect(audit).not.toContain('rotated_value');
      // Setting the mask back leaves the secret as it is.
      expect((await m.updateConfig('webhook', { token: REDACTED }, admin)).applied).toBe('unchanged');
    },
  );

  it.skipIf(skip)(
    'GIVEN an environment override THEN it wins over the stored value and is shown as an override',
    async () => {
      testDb ??= await createTestDatabase(dialect);
      const m = await start(new WebhookService(), {
        config: { env: { SERVICEDECK_SVC_WEBHOOK__RETRIES: '5' }, cwd: testDb.dir },
      });
      await m.updateConfig('webhook', { url: `${server.url}/ok`, retries: 1 }, admin);
      const view = await m.getConfig('webhook');
      expect(view.values.retries).toBe(5);
      expect(view.fields.find((f) => f.key === 'retries')).toEqual({
        key: 'retries',
        value: 5,
        source: 'env',
        secret: false,
        envVar: 'SERVICEDECK_SVC_WEBHOOK__RETRIES',
        overridden: 1,
        types: ['integer'],
        required: false,
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN the service rejects a change THEN the previous settings are restored and the error says why',
    async () => {
      const service = new WebhookService();
      const m = await start(service);
      await m.updateConfig('webhook', { url: `${server.url}/ok`, retries: 2 }, admin);
      const error = await m.updateConfig('webhook', { retries: 7 }, admin).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'SD_ERR_CONFIG_APPLY_FAILED',
        message:
          '"webhook" rejected configuration version 2: 7 retries is unlucky; the previous settings were restored as version 3. Check the values and the service, then try again.',
      });
      expect(service.getConfig()).toEqual({ url: `${server.url}/ok`, retries: 2 });
      expect((await m.getConfig('webhook')).version).toBe(3);
      expect((await m.configHistory('webhook')).map((v) => v.values.retries)).toEqual([2, 7, 2]);
      const [restore] = await m.auditLog({ serviceId: 'webhook' });
      expect(restore).toMatchObject({
        result: 'failed',
        details: { rejectedVersion: 2, restoredVersion: 3, reason: '7 retries is unlucky' },
      });
    },
  );

  it.skipIf(skip)('GIVEN a change after which the health check fails THEN it is rolled back', async () => {
    const service = new WebhookService();
    const m = await start(service);
    await m.updateConfig('webhook', { url: `${server.url}/ok` }, admin);
    await expect(m.updateConfig('webhook', { url: `${server.url}/fail` }, admin)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_APPLY_FAILED',
      message: expect.stringContaining('its health check failed right after: answered 503'),
    });
    expect(service.getConfig().url).toBe(`${server.url}/ok`);
  });

  it.skipIf(skip)(
    'GIVEN two admins editing the same version THEN the second gets a conflict naming the new version',
    async () => {
      const m = await start(new WebhookService());
      await m.updateConfig('webhook', { url: `${server.url}/ok` }, admin);
      const other = new ServiceRegistryManager({
        database: { url: (testDb as TestDatabase).url },
        discovery: { root: (testDb as TestDatabase).dir },
        processHealth: false,
        health: { schedule: false },
        config: { env: {} },
      });
      other.registerService(new WebhookService());
      managers.push(other);
      await other.start();
      await other.updateConfig(
        'webhook',
        { retries: 4 },
        { actor: 'bob', adapter: 'discord', expectedVersion: 1 },
      );
      const error = await m
        .updateConfig('webhook', { retries: 6 }, { ...admin, expectedVersion: 1 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'SD_ERR_CONFIG_CONFLICT',
        message: expect.stringMatching(
          /^The configuration of "webhook" changed since version 1, which this edit was based on: it is now version 2 by bob via discord at .+\. Review the current settings and apply your change again\.$/,
        ),
      });
      const results = await Promise.allSettled([
        m.updateConfig('webhook', { retries: 8 }, { ...admin, expectedVersion: 2 }),
        other.updateConfig(
          'webhook',
          { retries: 9 },
          { actor: 'bob', adapter: 'discord', expectedVersion: 2 },
        ),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
        code: 'SD_ERR_CONFIG_CONFLICT',
      });
      expect((await m.getConfig('webhook')).version).toBe(3);
    },
  );

  it.skipIf(skip)(
    'GIVEN history THEN a rollback makes an old version current again as a new version',
    async () => {
      const m = await start(new WebhookService());
      await m.updateConfig('webhook', { url: `${server.url}/ok`, retries: 1 }, admin);
      await m.updateConfig('webhook', { retries: 2 }, admin);
      const result = await m.rollbackConfig('webhook', 1, { actor: 'carol', adapter: 'web' });
      expect(result).toMatchObject({
        version: 3,
        applied: 'live',
        changes: [{ key: 'retries', from: 2, to: 1 }],
      });
      const history = await m.configHistory('webhook');
      expect(history.map((v) => [v.version, v.actor, v.values.retries])).toEqual([
        [3, 'carol', 1],
        [2, 'alice', 2],
        [1, 'alice', 1],
      ]);
      await expect(m.rollbackConfig('webhook', 9, admin)).rejects.toMatchObject({
        code: 'SD_ERR_CONFIG_VERSION_NOT_FOUND',
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN a service that cannot apply changes live THEN the change waits for the next start',
    async () => {
      const service = new WebhookService({ ...WEBHOOK, liveConfig: false });
      const m = await start(service);
      await m.updateConfig('webhook', { url: `${server.url}/ok` }, admin);
      expect(await m.updateConfig('webhook', { retries: 5 }, admin)).toMatchObject({
        applied: 'next-start',
        version: 2,
      });
      expect(service.getConfig().retries).toBe(3);
      expect((await m.getConfig('webhook')).pendingRestart).toBe(true);
    },
  );

  it.skipIf(skip)(
    'GIVEN a key rotation THEN every secret, current and in history, is re-encrypted and still reads',
    async () => {
      const m = await start(new WebhookService());
      await m.updateConfig('webhook', { url: `${server.url}/ok`, token: 'first-token' }, admin);
      await m.updateConfig('webhook', { token: 'second-token' }, admin);
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      const before = (await db.repos.configuration.findOne({ where: { configKey: 'token' } }))?.keyId;
      const result = await m.rotateKeys(admin);
      expect(result.keyId).not.toBe(before);
      expect(result.reencrypted).toBe(3);
      const row = await db.repos.configuration.findOne({ where: { configKey: 'token' } });
      await db.close();
      expect(row?.keyId).toBe(result.keyId);
      await m.shutdown();
      const service = new WebhookService();
      await start(service);
      expect(service.getConfig().token).toBe('second-token');
      await m.rollbackConfig; // keep the first manager referenced
      const [rotation] = (await managers[1]?.auditLog({ action: 'keys.rotate' })) ?? [];
      expect(rotation?.details).toMatchObject({ fromKey: before, toKey: result.keyId, reencrypted: 3 });
    },
  );

  it.skipIf(skip)(
    'GIVEN a waiting dependent THEN it starts as soon as the settings its dependency lacked are set',
    async () => {
      testDb = await createTestDatabase(dialect);
      const m = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: testDb.dir },
        processHealth: false,
        health: { schedule: false },
        config: { env: {}, cwd: testDb.dir },
      });
      m.registerService(new WebhookService());
      m.registerService(
        new WebhookService({ id: 'notifier', name: 'Notifier', type: 'internal', dependencies: ['webhook'] }),
      );
      managers.push(m);
      await m.start();
      expect(m.getServiceInfo('notifier')).toMatchObject({
        running: false,
        statusMessage: expect.stringMatching(/^waiting for "webhook"/),
      });
      expect((await m.updateConfig('webhook', { url: `${server.url}/ok` }, admin)).applied).toBe('started');
      expect(m.getServiceInfo('notifier')).toMatchObject({ running: true, status: 'unknown' });
    },
  );

  it.skipIf(skip)(
    'GIVEN keys rotated by another process THEN secrets written here afterwards use the new key',
    async () => {
      const m = await start(new WebhookService());
      await m.updateConfig('webhook', { url: `${server.url}/ok`, token: 'before-rotation' }, admin);
      const other = new ServiceRegistryManager({
        database: { url: (testDb as TestDatabase).url },
        discovery: { root: (testDb as TestDatabase).dir },
        processHealth: false,
        health: { schedule: false },
        sync: { enabled: false },
        config: { env: {}, cwd: (testDb as TestDatabase).dir },
      });
      other.registerService(new WebhookService());
      managers.push(other);
      await other.start();
      const { keyId } = await other.rotateKeys({ actor: 'root', adapter: 'cli' });
      await m.updateConfig('webhook', { token: 'after-rotation' }, admin);
      const db = await openDatabase({ url: (testDb as TestDatabase).url });
      const row = await db.repos.configuration.findOne({ where: { configKey: 'token' } });
      await db.close();
      expect(row?.keyId).toBe(keyId);
      await m.shutdown();
      const service = new WebhookService();
      await start(service);
      expect(service.getConfig().token).toBe('after-rotation');
    },
  );

  it.skipIf(skip)(
    'GIVEN the mask sent for a secret that is not stored THEN it is refused, never stored',
    async () => {
      const m = await start(new WebhookService());
      await expect(
        m.updateConfig('webhook', { url: `${server.url}/ok`, token: REDACTED }, admin),
      ).rejects.toMatchObject({
        code: 'SD_ERR_CONFIG_INVALID',
        message:
          'Invalid configuration for "webhook": /token: "••••••" stands for the stored secret, and none is stored. Send the secret itself; nothing was stored.',
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN the master key is lost THEN services with secrets fail with a clear error, not garbage',
    async () => {
      const m = await start(new WebhookService());
      await m.updateConfig('webhook', { url: `${server.url}/ok`, token: 'keep-it-safe' }, admin);
      await m.shutdown();
      await rm(path.join((testDb as TestDatabase).dir, '.servicedeck'), { recursive: true });
      const again = await start(new WebhookService());
      expect(again.getServiceInfo('webhook')).toMatchObject({
        status: 'error',
        statusMessage: expect.stringMatching(
          /^Secrets are stored but no master key is available\. Set SERVICEDECK_MASTER_KEY/,
        ),
      });
      await expect(again.getConfig('webhook')).rejects.toMatchObject({ code: 'SD_ERR_SECRET_KEY_MISSING' });
      // No new key was made behind the operator's back.
      await expect(
        access(path.join((testDb as TestDatabase).dir, '.servicedeck', 'master.key')),
      ).rejects.toThrow();
    },
  );

  it.skipIf(skip)('GIVEN keys from the environment THEN rotation needs the new key to be given', async () => {
    const key = Buffer.from(await generateKey()).toString('base64');
    testDb = await createTestDatabase(dialect);
    const m = await start(new WebhookService(), {
      config: { env: { SERVICEDECK_MASTER_KEY: key }, cwd: testDb.dir },
    });
    await m.updateConfig('webhook', { url: `${server.url}/ok`, token: 'env-keyed-token' }, admin);
    await expect(m.rotateKeys(admin)).rejects.toMatchObject({ code: 'SD_ERR_KEY_ROTATION_NEEDS_KEY' });
    const next = await generateKey();
    expect((await m.rotateKeys({ ...admin, newKey: next })).reencrypted).toBe(2);
  });
});
