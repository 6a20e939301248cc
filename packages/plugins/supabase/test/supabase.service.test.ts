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
import { activeResources, closedPort, waitFor } from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { keyRole, SUPABASE_CONFIG_SCHEMA, SUPABASE_PLUGIN_VERSION, SupabaseService } from '../src/index.js';
import { type FakeSupabase, jwtKey, startFakeSupabase } from './support/fake-supabase.js';

const fakes: FakeSupabase[] = [];
const services: SupabaseService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const fake of fakes.splice(0)) await fake.server.close();
});

/** A project with a `reminders` table in `public` and a `guilds` table in the `bot` schema. */
async function project(ref: string): Promise<FakeSupabase> {
  const started = await startFakeSupabase(ref, {
    public: { reminders: [{ id: 1, text: `water the plants (${ref})`, guild_id: 'g1' }] },
    bot: { guilds: [{ id: 'g1', prefix: '!' }] },
  });
  fakes.push(started);
  return started;
}

function configOf(settings: JsonObject): JsonObject {
  const checked = checkConfig(SUPABASE_CONFIG_SCHEMA, settings, 'supabase');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

async function enabledService(settings: JsonObject): Promise<SupabaseService> {
  const service = new SupabaseService();
  services.push(service);
  await service.updateConfig(configOf(settings));
  await service.enable();
  return service;
}

describe('SupabaseService metadata and configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it: external, the package version, the key secret', async () => {
    const metadata = normalizeMetadata(new SupabaseService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'supabase', type: 'external', version: pkg.version });
    expect(SUPABASE_PLUGIN_VERSION).toBe(pkg.version);
    const properties = (metadata.configSchema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(properties.apiKey?.['x-secret']).toBe(true);
  });

  it('GIVEN a url and a key THEN the schema is public with a 10 s timeout, and bad settings are named', () => {
    const key = jwtKey('anon', 'abc');
    expect(configOf({ url: 'https://abc.supabase.co', apiKey: key })).toEqual({
      url: 'https://abc.supabase.co',
      apiKey: key,
      schema: 'public',
      timeoutMs: 10_000,
    });
    const { problems } = checkConfig(
      SUPABASE_CONFIG_SCHEMA,
      { url: 'postgres://db', apiKey: 'short', schema: 'no-dashes', timeoutMs: 0 },
      'supabase',
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['/apiKey', '/schema', '/timeoutMs', '/url']);
  });

  it('GIVEN each kind of key THEN keyRole tells which it is, without verifying it', () => {
    expect(keyRole(jwtKey('anon', 'abc'))).toBe('anon');
    expect(keyRole(jwtKey('service_role', 'abc'))).toBe('service_role');
    expect(keyRole('sb_publishable_0123456789abcdef')).toBe('publishable');
    expect(keyRole('sb_secret_0123456789abcdef')).toBe('secret');
    expect(keyRole('not.a.jwt')).toBe('unknown');
  });
});

describe('SupabaseService health', () => {
  it('GIVEN an anon key THEN the check asks the auth health route and the REST root, and reports the auth version', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
    const result = await service.healthCheck();
    expect(result).toEqual({
      status: 'active',
      message: expect.stringMatching(/^auth v2\.170\.0 and REST API answered in \d+ ms \(anon key\)$/),
      details: {
        authVersion: 'v2.170.0',
        keyRole: 'anon',
        authLatencyMs: expect.any(Number),
        restLatencyMs: expect.any(Number),
        restStatus: 401,
      },
    });
    expect(supabase.log()).toEqual(['GET /auth/v1/health', 'GET /rest/v1/']);
    const [auth, rest] = supabase.server.requests;
    expect(auth?.headers.apikey).toBe(supabase.anonKey);
    expect(rest?.headers).toMatchObject({
      authorization: `Bearer ${supabase.anonKey}`,
      'accept-profile': 'public',
    });
  });

  it('GIVEN a service_role key THEN the REST root is checked with HEAD, skipping the schema description', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.serviceKey });
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/\(service_role key\)$/),
      details: { restStatus: 200 },
    });
    expect(supabase.log()).toEqual(['GET /auth/v1/health', 'HEAD /rest/v1/']);
  });

  it('GIVEN a key of another project THEN the check says authentication failed: API key rejected', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: jwtKey('anon', 'other') });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'authentication failed: API key rejected (401 "Invalid API key")',
      details: { part: 'auth', statusCode: 401, keyRole: 'anon' },
    });
  });

  it('GIVEN a schema the REST API does not expose THEN the check names it and says what to do', async () => {
    const supabase = await project('one');
    const service = await enabledService({
      url: supabase.url,
      apiKey: supabase.serviceKey,
      schema: 'missing',
    });
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message:
        'the REST API does not expose schema "missing" (406): expose it in the project\'s API settings, or change the schema setting',
      details: { part: 'rest', statusCode: 406 },
    });
  });

  it('GIVEN the REST API failing while auth answers THEN the check says the REST API failed', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
    supabase.mode = 'rest-down';
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: 'the REST API: server error (503 Service Unavailable)',
      details: { part: 'rest', statusCode: 503, authVersion: 'v2.170.0' },
    });
  });

  it('GIVEN a url with a path that is not the project THEN the check says which url is expected', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: `${supabase.url}/rest/v1`, apiKey: supabase.anonKey });
    const result = await service.healthCheck();
    expect(result).toMatchObject({ status: 'error', details: { part: 'auth', statusCode: 404 } });
    expect(result.message).toMatch(
      /^the auth server was not found \(404 ".*"\): url must be the project URL, https:\/\/<project-ref>\.supabase\.co$/,
    );
  });

  it('GIVEN answers slower than timeoutMs THEN the check fails after about timeoutMs', async () => {
    const supabase = await project('one');
    supabase.delayMs = 3_000;
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey, timeoutMs: 500 });
    const started = performance.now();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'no response within 500 ms',
      details: { part: 'auth', reason: 'timeout' },
    });
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('GIVEN a hanging server and a check signal that runs out first THEN the check says the health check timed out', async () => {
    const supabase = await project('one');
    supabase.mode = 'hang';
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey, timeoutMs: 60_000 });
    expect(await service.healthCheck(AbortSignal.timeout(200))).toEqual({
      status: 'error',
      message: 'no answer within 10000 ms (the health check timed out)',
    });
  });

  it('GIVEN a server that stops and restarts THEN the check says connection refused, then active again', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
    expect((await service.healthCheck()).status).toBe('active');
    await supabase.server.stop();
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: `connection refused by 127.0.0.1:${supabase.port}`,
      details: { part: 'auth', reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
    // The bot's queries say the same, in supabase-js's error shape (retries off: they would wait 1+2+4 s).
    const failed = await service.client.from('reminders').select('id').retry(false);
    expect(failed.error?.message).toBe(`HttpEndpointError: connection refused by 127.0.0.1:${supabase.port}`);
    await supabase.server.start();
    expect(await service.healthCheck()).toMatchObject({ status: 'active' });
    const { data } = await service.client.from('reminders').select('id');
    expect(data).toEqual([{ id: 1 }]);
  });

  it('GIVEN a port nobody listens on THEN the check says the connection was refused', async () => {
    const port = await closedPort();
    const service = await enabledService({ url: `http://127.0.0.1:${port}`, apiKey: jwtKey('anon', 'x') });
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('SupabaseService client', () => {
  it('GIVEN a configured service THEN client.from().select() reads the table through the REST API with the key', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
    const { data, error, status } = await service.client.from('reminders').select('*').eq('guild_id', 'g1');
    expect(error).toBeNull();
    expect(status).toBe(200);
    expect(data).toEqual([{ id: 1, text: 'water the plants (one)', guild_id: 'g1' }]);
    const request = supabase.server.requests.at(-1);
    expect(request?.url).toBe('/rest/v1/reminders?select=*&guild_id=eq.g1');
    expect(request?.headers).toMatchObject({
      apikey: supabase.anonKey,
      authorization: `Bearer ${supabase.anonKey}`,
    });
  });

  it('GIVEN the schema setting THEN queries read that schema', async () => {
    const supabase = await project('one');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey, schema: 'bot' });
    const { data } = await service.client.from('guilds').select('*');
    expect(data).toEqual([{ id: 'g1', prefix: '!' }]);
    expect(supabase.server.requests.at(-1)?.headers['accept-profile']).toBe('bot');
  });

  it("GIVEN a new url and key THEN the bot's client reads from the new project and the old client is closed", async () => {
    const one = await project('one');
    const two = await project('two');
    const service = await enabledService({ url: one.url, apiKey: one.anonKey });
    const old = service.client;
    expect((await old.from('reminders').select('text')).data).toEqual([{ text: 'water the plants (one)' }]);
    await service.updateConfig(configOf({ url: two.url, apiKey: two.anonKey }));
    expect(service.client).not.toBe(old);
    expect((await service.client.from('reminders').select('text')).data).toEqual([
      { text: 'water the plants (two)' },
    ]);
    const stale = await old.from('reminders').select('text');
    expect(stale.error?.message).toBe('AbortError: request refused: the Supabase client is closed');
    expect(two.log()).toEqual(['GET /auth/v1/health', 'GET /rest/v1/', 'GET /rest/v1/reminders']);
  });

  it('GIVEN a rejected key in new settings THEN they are refused with the reason and the old client keeps working', async () => {
    const one = await project('one');
    const two = await project('two');
    const service = await enabledService({ url: one.url, apiKey: one.anonKey });
    const old = service.client;
    await expect(service.updateConfig(configOf({ url: two.url, apiKey: one.anonKey }))).rejects.toThrow(
      'the new settings were not applied: authentication failed: API key rejected (401 "Invalid API key"); the previous client is still in use',
    );
    expect(service.client).toBe(old);
    expect((await service.client.from('reminders').select('text')).data).toEqual([
      { text: 'water the plants (one)' },
    ]);
    expect(two.log()).toEqual(['GET /auth/v1/health']);
  });

  it('GIVEN queries hanging WHEN the service is disabled THEN they end as aborted at once and no socket or timer is left', async () => {
    const supabase = await project('one');
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey, timeoutMs: 30_000 });
    supabase.mode = 'hang';
    const client = service.client;
    const pending = Promise.all([client.from('reminders').select('*'), service.healthCheck()]);
    await waitFor(() => supabase.log().length === 2);
    const started = performance.now();
    await service.disable();
    const [query, check] = await pending;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(query.error).toMatchObject({
      message: 'AbortError: request aborted: the Supabase client was closed',
      hint: 'Request was aborted (timeout or manual cancellation)',
    });
    expect(check).toEqual({ status: 'inactive', message: 'disabled' });
    expect(() => service.client).toThrowError(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );
    await waitFor(() => supabase.server.openConnections() === 0);
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
  });

  it('GIVEN realtime channels WHEN the service is disabled THEN they are removed and their timers end', async () => {
    const supabase = await project('one');
    const timers = activeResources('Timeout');
    const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
    const client = service.client;
    client.channel('reminders-feed');
    client.channel('presence');
    expect(client.getChannels()).toHaveLength(2);
    await service.disable();
    expect(client.getChannels()).toHaveLength(0);
    // realtime-js's disconnect keeps one timer of its own for up to 10 s.
    await waitFor(() => activeResources('Timeout') <= timers, 12_000);
  }, 20_000);

  it.skipIf(typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined')(
    'GIVEN a Node.js without WebSocket THEN subscribing to a channel says what Realtime needs, and the rest works',
    async () => {
      const supabase = await project('one');
      const service = await enabledService({ url: supabase.url, apiKey: supabase.anonKey });
      expect(() => service.client.channel('feed').subscribe()).toThrowError(
        /Supabase Realtime needs WebSocket support, which this Node\.js lacks: run Node\.js 22 or later/,
      );
      expect((await service.client.from('reminders').select('id')).data).toEqual([{ id: 1 }]);
    },
  );
});

describe('SupabaseService in a ServiceRegistryManager', () => {
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

  it('GIVEN no settings, then working ones, then a wrong key THEN inactive, active, and the wrong key refused', async () => {
    const supabase = await project('one');
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-supabase-'));
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: PACKAGE_ROOT, serviceGlobs: ['src/*.service.ts'], scanDependencies: false },
      config: {
        env: { SERVICEDECK_MASTER_KEY: Buffer.from(await generateKey()).toString('base64') },
        cwd: dir,
      },
      health: { schedule: false },
    });
    await manager.start();
    const info = manager.getServiceInfo('supabase');
    expect(info).toMatchObject({
      type: 'external',
      status: 'inactive',
      running: false,
      statusMessage: 'not configured: url is required, apiKey is required',
    });

    await manager.updateConfig('supabase', { url: supabase.url, apiKey: supabase.serviceKey }, admin);
    expect(await manager.checkHealth('supabase')).toMatchObject({ status: 'active' });
    expect(manager.getServiceInfo('supabase')).toMatchObject({ status: 'active', running: true });
    const read = async (): Promise<unknown> =>
      (await manager?.getService<SupabaseService>('supabase').client.from('reminders').select('id'))?.data;
    expect(await read()).toEqual([{ id: 1 }]);

    const wrong = jwtKey('service_role', 'other');
    const rejected = manager.updateConfig('supabase', { apiKey: wrong }, admin);
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrow(/authentication failed: API key rejected/);
    expect(await read()).toEqual([{ id: 1 }]);

    const view = await manager.getConfig('supabase');
    expect(view.fields.find((f) => f.key === 'apiKey')).toMatchObject({
      secret: true,
      envVar: 'SERVICEDECK_SVC_SUPABASE__API_KEY',
    });
    expect(JSON.stringify(view)).not.toContain(supabase.serviceKey);
    expect(JSON.stringify(view)).not.toContain(wrong);
  });
});
