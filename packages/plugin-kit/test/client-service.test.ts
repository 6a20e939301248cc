import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ConfigSchema,
  type HealthCheckResult,
  isServiceDeckError,
  Service,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientService, describeHttpStatus, HttpClient } from '../src/index.js';
import { activeResources, sendJson, startServer, type TestServer, waitFor } from '../src/testing.js';

type EchoConfig = { readonly url: string; readonly token: string };

const SCHEMA: ConfigSchema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    token: { type: 'string', 'x-secret': true },
  },
  required: ['url', 'token'],
  additionalProperties: false,
};

/** A small integration: an HTTP API that wants a bearer token, checked with GET /health. */
@Service({ id: 'echo', name: 'Echo API', type: 'external', configSchema: SCHEMA })
class EchoService extends ClientService<EchoConfig, HttpClient> {
  public created = 0;
  public closed: HttpClient[] = [];
  public failCreate: string | undefined;
  public activated: HttpClient[] = [];

  public constructor() {
    super();
  }

  protected createClient(config: EchoConfig): HttpClient {
    if (this.failCreate) throw new Error(this.failCreate);
    this.created += 1;
    return new HttpClient({ baseUrl: config.url, headers: { authorization: `Bearer ${config.token}` } });
  }

  protected override activateClient(client: HttpClient): void {
    this.activated.push(client);
  }

  protected async closeClient(client: HttpClient): Promise<void> {
    this.closed.push(client);
    await client.close();
  }

  protected async checkClient(client: HttpClient, _config: EchoConfig, signal: AbortSignal) {
    const response = await client.request('/health', { signal });
    if (response.status !== 200) {
      return { status: 'error', message: describeHttpStatus(response.status) } as HealthCheckResult;
    }
    return { status: 'active', message: `ok in ${response.latencyMs} ms` } as HealthCheckResult;
  }
}

/** A server that wants `Bearer <token>` on /health and echoes the server's name on /whoami. */
async function api(name: string, token: string): Promise<TestServer> {
  return startServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      sendJson(res, 401, { message: 'Bad credentials' });
      return;
    }
    if (req.url === '/hang') return;
    sendJson(res, 200, { server: name });
  });
}

const servers: TestServer[] = [];
const services: EchoService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const server of servers.splice(0)) await server.close();
});

async function setUp(): Promise<{ one: TestServer; two: TestServer; service: EchoService }> {
  const one = await api('one', 'secret-one');
  const two = await api('two', 'secret-two');
  servers.push(one, two);
  const service = new EchoService();
  services.push(service);
  await service.updateConfig({ url: one.url, token: 'secret-one' });
  return { one, two, service };
}

async function whoami(service: EchoService): Promise<string> {
  return (await service.client.request('/whoami')).json<{ server: string }>().server;
}

describe('ClientService', () => {
  it('GIVEN a configured service that is not enabled THEN client refuses with SD_ERR_SERVICE_NOT_RUNNING and health is inactive "disabled"', async () => {
    const { service } = await setUp();
    expect(() => service.client).toThrowError(
      'The Echo API service is disabled or not configured; its client is not available.',
    );
    try {
      service.client;
    } catch (error) {
      expect(isServiceDeckError(error, 'SD_ERR_SERVICE_NOT_RUNNING')).toBe(true);
    }
    expect(service.enabled).toBe(false);
    expect(await service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
  });

  it('GIVEN enable THEN the bot gets a client that talks to the configured server and health is active', async () => {
    const { service } = await setUp();
    await service.enable();
    await service.enable();
    expect(service.created).toBe(1);
    expect(await whoami(service)).toBe('one');
    expect(await service.healthCheck()).toMatchObject({ status: 'active' });
  });

  it('GIVEN new settings that work THEN the client is replaced, the bot talks to the new server and the old client is closed', async () => {
    const { service } = await setUp();
    await service.enable();
    const old = service.client;
    await service.updateConfig({ url: (servers[1] as TestServer).url, token: 'secret-two' });
    expect(await whoami(service)).toBe('two');
    expect(old.isClosed).toBe(true);
    expect(service.closed).toEqual([old]);
    expect(service.activated).toEqual([old, service.client]);
    expect(service.getConfig()).toMatchObject({ token: 'secret-two' });
  });

  it('GIVEN new settings whose check fails THEN updateConfig says why, the old client stays in use and the new one is closed', async () => {
    const { service, two } = await setUp();
    await service.enable();
    const old = service.client;
    await expect(service.updateConfig({ url: two.url, token: 'wrong' })).rejects.toThrowError(
      'the new settings were not applied: authentication failed (401 Unauthorized); the previous client is still in use',
    );
    expect(service.client).toBe(old);
    expect(await whoami(service)).toBe('one');
    expect(service.activated).toEqual([old]);
    expect(service.closed).toHaveLength(1);
    expect(service.closed[0]?.isClosed).toBe(true);
    expect(service.getConfig()).toMatchObject({ token: 'secret-one' });
  });

  it('GIVEN the same settings again, keys in another order THEN the client is kept, not rebuilt', async () => {
    const { service, one } = await setUp();
    await service.enable();
    const old = service.client;
    await service.updateConfig({ token: 'secret-one', url: one.url });
    expect(service.client).toBe(old);
    expect(service.created).toBe(1);
    expect(service.closed).toEqual([]);
  });

  it('GIVEN new settings whose client cannot be created THEN updateConfig says why and keeps the old client', async () => {
    const { service, two } = await setUp();
    await service.enable();
    const old = service.client;
    service.failCreate = 'invalid private key: not a PEM block';
    await expect(service.updateConfig({ url: two.url, token: 'secret-two' })).rejects.toThrowError(
      'the new settings were not applied: invalid private key: not a PEM block; the previous client is still in use',
    );
    expect(service.client).toBe(old);
  });

  it('GIVEN a server that stops THEN health says connection refused, and once it restarts health is active again', async () => {
    const { service, one } = await setUp();
    await service.enable();
    await one.stop();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${one.port}`,
    });
    await one.start();
    expect(await service.healthCheck()).toMatchObject({ status: 'active' });
  });

  it('GIVEN a check that outlasts its signal THEN the result is an error in words and the request is gone', async () => {
    const { service } = await setUp();
    await service.enable();
    const hanging = service.client.request('/hang', { timeoutMs: 200 });
    await expect(hanging).rejects.toThrowError('no response within 200 ms');
    expect(service.client.inFlightCount).toBe(0);
  });

  it('GIVEN disable while a configuration change runs THEN they run one after the other and no client or socket is left', async () => {
    const { service, two } = await setUp();
    const sockets = activeResources('TCPSocketWrap');
    await service.enable();
    await whoami(service);
    const change = service.updateConfig({ url: two.url, token: 'secret-two' });
    const stop = service.disable();
    await Promise.all([change, stop]);
    expect(service.enabled).toBe(false);
    expect(service.created).toBe(2);
    expect(service.closed.map((client) => client.isClosed)).toEqual([true, true]);
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });
});

describe('ClientService in a manager', () => {
  let dir: string | undefined;
  let manager: ServiceRegistryManager | undefined;
  afterEach(async () => {
    await manager?.shutdown();
    manager = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('GIVEN settings rejected by the live client THEN the manager restores the previous version and the bot keeps its client', async () => {
    const one = await api('one', 'secret-one');
    const two = await api('two', 'secret-two');
    servers.push(one, two);
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-kit-'));
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: dir, scanDependencies: false },
      config: { cwd: dir, env: {} },
    });
    manager.registerService(new EchoService());
    await manager.start();
    expect(manager.getServiceInfo('echo')).toMatchObject({ status: 'inactive' });
    expect(manager.getServiceInfo('echo').statusMessage).toMatch(/^not configured: /);

    await manager.updateConfig(
      'echo',
      { url: one.url, token: 'secret-one' },
      { actor: 'test', adapter: 'test' },
    );
    const service = manager.getService<EchoService>('echo');
    expect(await whoami(service)).toBe('one');

    const rejected = manager.updateConfig(
      'echo',
      { url: two.url, token: 'wrong' },
      { actor: 'test', adapter: 'test' },
    );
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrowError(/authentication failed \(401 Unauthorized\)/);
    expect(await whoami(manager.getService<EchoService>('echo'))).toBe('one');
    const view = await manager.getConfig('echo');
    expect(JSON.stringify(view)).not.toContain('secret-one');
    expect(JSON.stringify(view)).not.toContain('wrong');
  });
});
