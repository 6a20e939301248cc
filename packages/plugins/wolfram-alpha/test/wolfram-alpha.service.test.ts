import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConfig,
  generateKey,
  type JsonObject,
  normalizeMetadata,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { formatClock } from '@servicedeck/plugin-kit';
import { activeResources, closedPort, waitFor } from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  WOLFRAM_ALPHA_CONFIG_SCHEMA,
  WOLFRAM_ALPHA_PLUGIN_VERSION,
  WolframAlphaService,
} from '../src/index.js';
import { type FakeWolfram, startFakeWolfram } from './support/fake-wolfram.js';

const APP_IDS = {
  'SHORT-ID-1': ['short-answers'],
  'FULL-ID-1': ['full-results'],
  'SPOKEN-ID-1': ['spoken-results'],
} as const;

const fakes: FakeWolfram[] = [];
const services: WolframAlphaService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const fake of fakes.splice(0)) await fake.server.close();
});

async function fake(): Promise<FakeWolfram> {
  const started = await startFakeWolfram(APP_IDS);
  fakes.push(started);
  return started;
}

/** The configuration as the manager hands it over: validated, defaults applied. */
function configOf(settings: JsonObject): JsonObject {
  const checked = checkConfig(WOLFRAM_ALPHA_CONFIG_SCHEMA, settings, 'wolfram-alpha');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

async function enabledService(settings: JsonObject): Promise<WolframAlphaService> {
  const service = new WolframAlphaService();
  services.push(service);
  await service.updateConfig(configOf(settings));
  await service.enable();
  return service;
}

describe('WolframAlphaService metadata and configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it: a wrapper, the package version, the app id secret, a 30 min interval', async () => {
    const metadata = normalizeMetadata(new WolframAlphaService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({
      id: 'wolfram-alpha',
      type: 'wrapper',
      version: pkg.version,
      healthCheck: { intervalMs: 1_800_000, timeoutMs: 15_000, failureThreshold: 2 },
    });
    expect(WOLFRAM_ALPHA_PLUGIN_VERSION).toBe(pkg.version);
    const properties = (metadata.configSchema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(properties.appId?.['x-secret']).toBe(true);
  });

  it('GIVEN only an app id THEN the defaults point at the public API, and bad settings are named', () => {
    expect(configOf({ appId: 'SHORT-ID-1' })).toEqual({
      appId: 'SHORT-ID-1',
      api: 'short-answers',
      baseUrl: 'https://api.wolframalpha.com',
      timeoutMs: 10_000,
    });
    const { problems } = checkConfig(
      WOLFRAM_ALPHA_CONFIG_SCHEMA,
      { appId: 'has spaces', api: 'simple', units: 'kelvin', baseUrl: 'ftp://x/', timeoutMs: 1 },
      'wolfram-alpha',
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/api',
      '/appId',
      '/baseUrl',
      '/timeoutMs',
      '/units',
    ]);
  });
});

describe('WolframAlphaService health', () => {
  it('GIVEN a Short Answers app id THEN the check asks 1+1 once and reports the app id accepted', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url });
    const result = await service.healthCheck();
    expect(result).toEqual({
      status: 'active',
      message: expect.stringMatching(/^app id accepted by the Short Answers API in \d+ ms \(asked 1\+1\)$/),
      details: { api: 'short-answers', probe: 'short-answers', latencyMs: expect.any(Number) },
    });
    expect(wolfram.log()).toEqual(['/v1/result 1+1']);
  });

  it('GIVEN a Full Results app id THEN the check only validates the query: parsed, nothing computed', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'FULL-ID-1', api: 'full-results', baseUrl: wolfram.url });
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: expect.stringMatching(
        /^app id accepted by the Full Results API in \d+ ms \(input parsed, nothing computed\)$/,
      ),
      details: { api: 'full-results', probe: 'validatequery' },
    });
    expect(wolfram.log()).toEqual(['/v2/validatequery 1+1']);
  });

  it('GIVEN a Spoken Results app id THEN the check asks the Spoken Results API', async () => {
    const wolfram = await fake();
    const service = await enabledService({
      appId: 'SPOKEN-ID-1',
      api: 'spoken-results',
      baseUrl: wolfram.url,
    });
    expect((await service.healthCheck()).status).toBe('active');
    expect(wolfram.log()).toEqual(['/v1/spoken 1+1']);
  });

  it('GIVEN the bot got an answer within the check interval THEN the check spends no query', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url });
    await expect(service.client.shortAnswer('asdfgh')).rejects.toMatchObject({ kind: 'not-understood' });
    const at = service.client.lastOutcome?.at as Date;
    expect(await service.healthCheck()).toEqual({
      status: 'active',
      message: `app id accepted by the Short Answers API at ${formatClock(at)} (its last answer; no query spent on this check)`,
      details: { api: 'short-answers', probe: 'none', answeredAt: at.toISOString() },
    });
    expect(wolfram.calls()).toBe(1);
  });

  it("GIVEN the bot's last request failed THEN the check asks again instead of trusting an older answer", async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url });
    wolfram.mode = 'quota-429';
    await expect(service.client.shortAnswer('1+1')).rejects.toMatchObject({ kind: 'quota-exceeded' });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'rate or quota limit exceeded (the Short Answers API answered 429 "Rate limit exceeded")',
      details: { api: 'short-answers', probe: 'short-answers', reason: 'quota-exceeded', statusCode: 429 },
    });
    expect(wolfram.calls()).toBe(2);
  });

  it('GIVEN a wrong app id THEN the check says authentication failed and what to check', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'WRONG-ID-1', baseUrl: wolfram.url });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message:
        'authentication failed: invalid app id (the Short Answers API answered 403 "Error 1: Invalid appid"); check appId, and that the app id was issued for the Short Answers API (the api setting)',
      details: { api: 'short-answers', probe: 'short-answers', reason: 'invalid-app-id', statusCode: 403 },
    });
  });

  it('GIVEN an app id issued for another API than the api setting THEN the check names the API to check', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', api: 'full-results', baseUrl: wolfram.url });
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message:
        'authentication failed: invalid app id (the Full Results API answered error 1 "Invalid appid"); check appId, and that the app id was issued for the Full Results API (the api setting)',
    });
  });

  it('GIVEN the allowance used up, reported in words THEN the check says the quota is exceeded', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'FULL-ID-1', api: 'full-results', baseUrl: wolfram.url });
    wolfram.mode = 'quota-words';
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message:
        'rate or quota limit exceeded (the Full Results API answered error 1100 "Monthly API call limit exceeded")',
      details: { reason: 'quota-exceeded' },
    });
  });

  it('GIVEN an answer slower than timeoutMs THEN the check fails after about timeoutMs', async () => {
    const wolfram = await fake();
    wolfram.delayMs = 3_000;
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url, timeoutMs: 500 });
    const started = performance.now();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'no response within 500 ms',
      details: { api: 'short-answers', probe: 'short-answers', reason: 'timeout' },
    });
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('GIVEN a hanging server and a check signal that runs out first THEN the check says the health check timed out', async () => {
    const wolfram = await fake();
    wolfram.mode = 'hang';
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url, timeoutMs: 60_000 });
    const result = await service.healthCheck(AbortSignal.timeout(200));
    expect(result).toEqual({
      status: 'error',
      message: 'no answer within 15000 ms (the health check timed out)',
    });
    expect(service.client.inFlightCount).toBe(0);
  });

  it('GIVEN a server that stops and restarts THEN the check says connection refused, then accepted again', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url });
    expect((await service.healthCheck()).status).toBe('active');
    await wolfram.server.stop();
    // The answer above is younger than the interval, but a check after the bot's failed request asks again.
    await expect(service.client.shortAnswer('1+1')).rejects.toMatchObject({ kind: 'connection-refused' });
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: `connection refused by 127.0.0.1:${wolfram.port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
    await wolfram.server.start();
    expect(await service.healthCheck()).toMatchObject({ status: 'active' });
    expect((await service.client.shortAnswer('1+1')).text).toBe('2');
  });

  it('GIVEN a port nobody listens on THEN the check says the connection was refused', async () => {
    const port = await closedPort();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: `http://127.0.0.1:${port}` });
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('WolframAlphaService lifecycle', () => {
  it("GIVEN new settings that work THEN the bot's client talks to the new server with the new app id", async () => {
    const first = await fake();
    const second = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: first.url });
    const old = service.client;
    await service.updateConfig(configOf({ appId: 'FULL-ID-1', api: 'full-results', baseUrl: second.url }));
    expect(old.isClosed).toBe(true);
    expect(service.client.baseUrl.origin).toBe(second.url);
    expect((await service.client.query('1+1')).success).toBe(true);
    expect(second.log()).toEqual(['/v2/validatequery 1+1', '/v2/query 1+1']);
    expect(first.log()).toEqual([]);
  });

  it('GIVEN a wrong app id in new settings THEN they are refused with the reason and the old client keeps working', async () => {
    const wolfram = await fake();
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url });
    const old = service.client;
    await expect(
      service.updateConfig(configOf({ appId: 'WRONG-ID-1', baseUrl: wolfram.url })),
    ).rejects.toThrow(
      'the new settings were not applied: authentication failed: invalid app id (the Short Answers API answered 403 "Error 1: Invalid appid"); check appId, and that the app id was issued for the Short Answers API (the api setting); the previous client is still in use',
    );
    expect(service.client).toBe(old);
    expect((await service.client.shortAnswer('1+1')).text).toBe('2');
    expect(service.getConfig()).toMatchObject({ appId: 'SHORT-ID-1' });
  });

  it('GIVEN queries hanging WHEN the service is disabled THEN they are aborted and no socket or timer is left', async () => {
    const wolfram = await fake();
    wolfram.mode = 'hang';
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');
    const service = await enabledService({ appId: 'SHORT-ID-1', baseUrl: wolfram.url, timeoutMs: 30_000 });
    const client = service.client;
    const pending = Promise.allSettled([
      client.shortAnswer('1+1'),
      client.query('1+1'),
      service.healthCheck(),
    ]);
    await waitFor(() => wolfram.calls() === 3);
    await service.disable();
    const [answer, query, check] = await pending;
    expect(answer).toMatchObject({
      status: 'rejected',
      reason: { kind: 'aborted', message: 'request aborted: the Wolfram|Alpha client was closed' },
    });
    expect(query).toMatchObject({ status: 'rejected', reason: { kind: 'aborted' } });
    expect(check).toEqual({ status: 'fulfilled', value: { status: 'inactive', message: 'disabled' } });
    expect(() => service.client).toThrowError(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );
    await waitFor(() => wolfram.server.openConnections() === 0);
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
  });
});

describe('WolframAlphaService in a ServiceRegistryManager', () => {
  let dir: string | undefined;
  let manager: ServiceRegistryManager | undefined;

  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
    manager = undefined;
    dir = undefined;
  });

  const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
  const admin = { actor: 'alice', adapter: 'test' };

  it('GIVEN no app id, then a working one, then a wrong one THEN inactive, active, and the wrong one refused', async () => {
    const wolfram = await fake();
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-wolfram-'));
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: PACKAGE_ROOT, serviceGlobs: ['src/*.service.ts'], scanDependencies: false },
      config: {
        env: {
          SERVICEDECK_MASTER_KEY: Buffer.from(await generateKey()).toString('base64'),
          SERVICEDECK_SVC_WOLFRAM_ALPHA__BASE_URL: wolfram.url,
        },
        cwd: dir,
      },
      health: { schedule: false },
    });
    await manager.start();
    expect(manager.getServiceInfo('wolfram-alpha')).toMatchObject({
      type: 'wrapper',
      status: 'inactive',
      running: false,
      statusMessage: 'not configured: appId is required',
    });
    expect(wolfram.calls()).toBe(0);

    await manager.updateConfig('wolfram-alpha', { appId: 'SHORT-ID-1' }, admin);
    expect(manager.getServiceInfo('wolfram-alpha')).toMatchObject({ running: true });
    expect(await manager.checkHealth('wolfram-alpha')).toMatchObject({ status: 'active' });
    expect(manager.getServiceInfo('wolfram-alpha')).toMatchObject({ status: 'active' });
    const service = manager.getService<WolframAlphaService>('wolfram-alpha');
    expect((await service.client.shortAnswer('1+1')).text).toBe('2');

    const rejected = manager.updateConfig('wolfram-alpha', { appId: 'WRONG-ID-1' }, admin);
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrow(/authentication failed: invalid app id/);
    expect(
      (await manager.getService<WolframAlphaService>('wolfram-alpha').client.shortAnswer('1+1')).text,
    ).toBe('2');

    const view = await manager.getConfig('wolfram-alpha');
    expect(view.fields.find((f) => f.key === 'baseUrl')).toMatchObject({
      source: 'env',
      envVar: 'SERVICEDECK_SVC_WOLFRAM_ALPHA__BASE_URL',
    });
    expect(JSON.stringify(view)).not.toContain('SHORT-ID-1');
    expect(JSON.stringify(view)).not.toContain('WRONG-ID-1');
  });
});
