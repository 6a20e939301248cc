import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Point } from '@influxdata/influxdb-client';
import { checkConfig, type JsonObject, normalizeMetadata } from '@servicedeck/core';
import {
  activeResources,
  closedPort,
  startTestRegistry,
  type TestRegistry,
  waitFor,
} from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { INFLUXDB_CONFIG_SCHEMA, INFLUXDB_PLUGIN_VERSION, InfluxDbService } from '../src/index.js';
import { type FakeInfluxDb, startFakeInfluxDb } from './support/fake-influxdb.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const fakes: FakeInfluxDb[] = [];
const services: InfluxDbService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fake(token?: string): Promise<FakeInfluxDb> {
  const started = await startFakeInfluxDb(token);
  fakes.push(started);
  return started;
}

function valid(config: JsonObject): JsonObject {
  const checked = checkConfig(INFLUXDB_CONFIG_SCHEMA, config, 'influxdb');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

const settings = (influx: FakeInfluxDb, more: JsonObject = {}): JsonObject => ({
  url: influx.url,
  token: influx.token,
  org: influx.org,
  bucket: influx.bucket,
  ...more,
});

async function enabled(config: JsonObject): Promise<InfluxDbService> {
  const service = new InfluxDbService();
  services.push(service);
  await service.updateConfig(valid(config));
  await service.enable();
  return service;
}

describe('InfluxDbService configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version, the token secret and every connection setting required', async () => {
    const metadata = normalizeMetadata(new InfluxDbService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'influxdb', type: 'external', version: pkg.version });
    expect(INFLUXDB_PLUGIN_VERSION).toBe(pkg.version);
    const properties = INFLUXDB_CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>;
    expect(properties.token?.['x-secret']).toBe(true);
    expect(checkConfig(INFLUXDB_CONFIG_SCHEMA, {}, 'influxdb').problems.map((p) => p.message)).toEqual([
      'url is required',
      'token is required',
      'org is required',
      'bucket is required',
    ]);
  });
});

describe('InfluxDbService health', () => {
  it('GIVEN a token that may write THEN health is active with the version, and the check wrote nothing', async () => {
    const influx = await fake();
    const service = await enabled(settings(influx));
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^InfluxDB v2\.7\.10; ping \d+ ms; may write to "bot"$/),
      details: { version: 'v2.7.10', writeStatusCode: 204 },
    });
    expect(influx.lines).toEqual([]);
  });

  it('GIVEN a wrong token, a read-only token, a missing bucket or org THEN health says which', async () => {
    const influx = await fake();
    const check = async (more: JsonObject) => (await enabled(settings(influx, more))).healthCheck();
    expect(await check({ token: 'nope' })).toMatchObject({
      status: 'error',
      message: 'authentication failed: invalid token',
    });
    expect(await check({ token: influx.readOnlyToken })).toMatchObject({
      status: 'error',
      message: 'no write permission on bucket "bot"',
    });
    expect(await check({ bucket: 'missing' })).toMatchObject({
      status: 'error',
      message: 'bucket "missing" not found in org "acme"',
    });
    expect(await check({ org: 'other' })).toMatchObject({
      status: 'error',
      message: 'organization "other" not found',
    });
  });

  it('GIVEN a slow server THEN health is active; a hanging one THEN it fails after the timeout', async () => {
    const influx = await fake();
    const service = await enabled(settings(influx, { timeoutMs: 1_000 }));
    influx.mode = 'slow';
    expect((await service.healthCheck()).status).toBe('active');
    influx.mode = 'hang';
    expect(await service.healthCheck()).toEqual({ status: 'error', message: 'no response within 1000 ms' });
  });

  it('GIVEN the server stops and restarts, or nothing listens THEN health says connection refused, then recovers', async () => {
    const influx = await fake();
    const service = await enabled(settings(influx));
    await influx.stop();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${influx.port}`,
    });
    await influx.start();
    expect((await service.healthCheck()).status).toBe('active');
    const port = await closedPort();
    const nowhere = await enabled(settings(influx, { url: `http://127.0.0.1:${port}` }));
    expect(await nowhere.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('InfluxDbService for the bot', () => {
  it('GIVEN points written through writeApi THEN they reach the bucket with the default tags; after a URL change they reach the new server', async () => {
    const one = await fake('token-one');
    const two = await fake('token-two');
    const service = await enabled(settings(one, { defaultTags: { bot: 'deck' } }));
    const writer = service.client.writeApi();
    expect(service.client.writeApi()).toBe(writer);
    writer.writePoint(
      new Point('commands').tag('name', 'ping').intField('count', 1).timestamp(1_700_000_000_000),
    );
    await writer.flush();
    expect(one.lines).toEqual(['commands,bot=deck,name=ping count=1i 1700000000000']);

    writer.writePoint(new Point('commands').tag('name', 'pending').intField('count', 2));
    await service.updateConfig(valid(settings(two)));
    // The old client flushed what it held before it closed.
    expect(one.lines.at(-1)).toMatch(/^commands,bot=deck,name=pending count=2i \d+$/);
    expect(() => writer.writePoint(new Point('late').intField('n', 1))).toThrowError();
    const next = service.client.writeApi();
    next.writePoint(
      new Point('commands').tag('name', 'help').intField('count', 3).timestamp(1_700_000_000_001),
    );
    await next.flush();
    expect(two.lines).toEqual(['commands,name=help count=3i 1700000000001']);
  });

  it('GIVEN a new token the server rejects THEN the change is refused and the old client stays', async () => {
    const influx = await fake();
    const service = await enabled(settings(influx));
    const current = service.client;
    await expect(service.updateConfig(valid(settings(influx, { token: 'wrong' })))).rejects.toThrowError(
      'the new settings were not applied: authentication failed: invalid token; the previous client is still in use',
    );
    expect(service.client).toBe(current);
  });

  it('GIVEN disable THEN buffered points are written first, the client is refused and no socket or timer is left', async () => {
    const influx = await fake();
    const sockets = activeResources('TCPSocketWrap');
    const service = await enabled(settings(influx, { flushIntervalMs: 60_000 }));
    await service.healthCheck();
    service.client.writeApi().writePoint(new Point('shutdown').intField('n', 1).timestamp(1));
    await service.disable();
    expect(influx.lines).toEqual(['shutdown n=1i 1']);
    expect(() => service.client).toThrowError(/disabled or not configured/);
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });
});

describe('InfluxDbService in a ServiceRegistryManager', () => {
  let registry: TestRegistry | undefined;
  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
  });

  it('GIVEN no settings THEN it waits as not configured; settings THEN it runs; a wrong token THEN the old client stays', async () => {
    const influx = await fake();
    registry = await startTestRegistry([new InfluxDbService()]);
    const { manager } = registry;
    expect(manager.getServiceInfo('influxdb')).toMatchObject({
      status: 'inactive',
      statusMessage:
        'not configured: url is required, token is required, org is required, bucket is required',
    });
    const actor = { actor: 'alice', adapter: 'test' };
    expect((await manager.updateConfig('influxdb', settings(influx), actor)).applied).toBe('started');
    expect((await manager.checkHealth('influxdb', { fresh: true })).status).toBe('active');
    const client = manager.getService<InfluxDbService>('influxdb').client;
    await expect(manager.updateConfig('influxdb', { token: 'wrong-token' }, actor)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_APPLY_FAILED',
    });
    expect(manager.getService<InfluxDbService>('influxdb').client).toBe(client);
    const view = JSON.stringify(await manager.getConfig('influxdb'));
    expect(view).not.toContain(influx.token);
    expect(view).not.toContain('wrong-token');
  });
});
