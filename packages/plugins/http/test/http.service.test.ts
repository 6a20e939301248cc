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
  openDatabase,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { toEndpointError } from '@servicedeck/plugin-kit';
import {
  activeResources,
  closedPort,
  type Handler,
  selfSignedCertificate,
  startServer,
  type TestServer,
  waitFor,
} from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HTTP_CONFIG_SCHEMA,
  HTTP_PLUGIN_VERSION,
  HttpEndpointError,
  HttpEndpointService,
} from '../src/index.js';

const certificate = selfSignedCertificate();

const servers: TestServer[] = [];
const services: HttpEndpointService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const server of servers.splice(0)) await server.close();
});

async function server(handler: Handler = (_req, res) => res.end('ok')): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

/** Configures the service as the manager does (schema defaults applied by core), then enables it. */
async function enabledService(config: JsonObject): Promise<HttpEndpointService> {
  const checked = checkConfig(HTTP_CONFIG_SCHEMA, config, 'http');
  expect(checked.problems).toEqual([]);
  const service = new HttpEndpointService();
  services.push(service);
  service.updateConfig(checked.config);
  service.enable();
  return service;
}

describe('HttpEndpointService metadata', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the headers marked secret', async () => {
    const metadata = normalizeMetadata(new HttpEndpointService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({
      id: 'http',
      type: 'wrapper',
      version: pkg.version,
      tags: ['http', 'network'],
    });
    expect(HTTP_PLUGIN_VERSION).toBe(pkg.version);
    const properties = (metadata.configSchema as { properties: Record<string, Record<string, unknown>> })
      .properties;
    expect(properties.headers?.['x-secret']).toBe(true);
  });

  it('GIVEN only a url THEN core fills in the defaults', () => {
    expect(checkConfig(HTTP_CONFIG_SCHEMA, { url: 'https://example.com/' }, 'http')).toEqual({
      config: { url: 'https://example.com/', expectedStatus: 200, timeoutMs: 5000, method: 'GET' },
      problems: [],
    });
  });

  it('GIVEN invalid settings THEN core names every one of them', () => {
    const { problems } = checkConfig(
      HTTP_CONFIG_SCHEMA,
      { url: 'ftp://example.com/', timeoutMs: 10, method: 'POST', headers: { 'x-a': 1 }, extra: true },
      'http',
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      '/extra',
      '/headers/x-a',
      '/method',
      '/timeoutMs',
      '/url',
    ]);
  });
});

describe('HttpEndpointService.healthCheck', () => {
  it('GIVEN an endpoint answering 200 THEN the check is active with the status and latency', async () => {
    const endpoint = await server();
    const service = await enabledService({ url: `${endpoint.url}/health` });
    const result = await service.healthCheck();
    expect(result.status).toBe('active');
    expect(result.message).toMatch(/^200 OK in \d+ ms$/);
    expect(result.details).toEqual({ statusCode: 200, latencyMs: expect.any(Number) });
    expect(endpoint.requests).toMatchObject([{ method: 'GET', url: '/health' }]);
  });

  it('GIVEN an endpoint answering 503 THEN the check is an error naming the expected and received status', async () => {
    const endpoint = await server((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const service = await enabledService({ url: endpoint.url });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'expected 200, got 503 Service Unavailable',
      details: { statusCode: 503, latencyMs: expect.any(Number), expectedStatus: 200 },
    });
  });

  it('GIVEN expectedStatus 204 and an endpoint answering 204 THEN the check is active', async () => {
    const endpoint = await server((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const service = await enabledService({ url: endpoint.url, expectedStatus: 204 });
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^204 No Content in/),
    });
  });

  it('GIVEN an endpoint slower than timeoutMs THEN the check fails after about timeoutMs instead of hanging', async () => {
    const endpoint = await server(() => undefined);
    const service = await enabledService({ url: endpoint.url, timeoutMs: 200 });
    const started = performance.now();
    const result = await service.healthCheck();
    const elapsed = performance.now() - started;
    expect(result).toEqual({
      status: 'error',
      message: 'no response within 200 ms',
      details: { reason: 'timeout' },
    });
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
    expect(service.inFlightCount).toBe(0);
  });

  it('GIVEN a port nobody listens on THEN the check says the connection was refused by that address', async () => {
    const port = await closedPort();
    const service = await enabledService({ url: `http://127.0.0.1:${port}/` });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
  });

  it('GIVEN method HEAD THEN the check sends a HEAD request', async () => {
    const endpoint = await server();
    const service = await enabledService({ url: endpoint.url, method: 'HEAD' });
    expect((await service.healthCheck()).status).toBe('active');
    expect(endpoint.requests.map((r) => r.method)).toEqual(['HEAD']);
  });

  it('GIVEN configured headers THEN the check sends them and closes its connection', async () => {
    const endpoint = await server();
    const service = await enabledService({
      url: endpoint.url,
      headers: { Authorization: 'Bearer t0ken', 'X-Bot': 'yes' },
    });
    await service.healthCheck();
    expect(endpoint.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer t0ken',
      'x-bot': 'yes',
      connection: 'close',
      'user-agent': `servicedeck-plugin-http/${HTTP_PLUGIN_VERSION}`,
    });
    await waitFor(() => endpoint.openConnections() === 0);
  });

  it.skipIf(!certificate)(
    'GIVEN a self-signed TLS certificate THEN the check says the certificate is invalid',
    async () => {
      const endpoint = await startServer((_req, res) => res.end('ok'), certificate);
      servers.push(endpoint);
      const service = await enabledService({ url: endpoint.url });
      const result = await service.healthCheck();
      expect(result).toMatchObject({
        status: 'error',
        details: { reason: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      });
      expect(result.message).toBe(
        `invalid TLS certificate from 127.0.0.1:${endpoint.port}: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)`,
      );
    },
  );

  it('GIVEN an https URL on a plain HTTP port THEN the check says the TLS handshake failed', async () => {
    const endpoint = await server();
    const service = await enabledService({ url: endpoint.url.replace('http:', 'https:') });
    const result = await service.healthCheck();
    expect(result).toMatchObject({ status: 'error', details: { reason: 'tls' } });
    expect(result.message).toBe(
      `TLS handshake with 127.0.0.1:${endpoint.port} failed: wrong version number (EPROTO)`,
    );
  });

  it('GIVEN a DNS lookup error from Node THEN it is described as a DNS failure of that host', () => {
    // Real lookups of unknown names depend on the machine's resolver; this is the error Node raises.
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND status.invalid'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'status.invalid',
    });
    const failure = toEndpointError(error, new URL('https://status.invalid/health'));
    expect(failure).toMatchObject({ kind: 'dns', code: 'ENOTFOUND', cause: error });
    expect(failure.message).toBe('DNS lookup failed for status.invalid: no such host (ENOTFOUND)');
  });

  it('GIVEN a service that is not enabled THEN the check is inactive and sends nothing', async () => {
    const endpoint = await server();
    const service = new HttpEndpointService();
    expect(await service.healthCheck()).toEqual({
      status: 'inactive',
      message: 'not configured: url is required',
    });
    service.updateConfig(checkConfig(HTTP_CONFIG_SCHEMA, { url: endpoint.url }, 'http').config);
    expect(await service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
    expect(endpoint.requests).toEqual([]);
  });

  it('GIVEN a new url while enabled THEN the next check goes to the new endpoint', async () => {
    const first = await server();
    const second = await server((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const service = await enabledService({ url: first.url });
    expect((await service.healthCheck()).status).toBe('active');
    service.updateConfig(checkConfig(HTTP_CONFIG_SCHEMA, { url: second.url }, 'http').config);
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: 'expected 200, got 500 Internal Server Error',
    });
    expect(service.getConfig()).toMatchObject({ url: second.url });
  });
});

describe('HttpEndpointService.request', () => {
  const echo: Handler = (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, token: req.headers.authorization ?? null }));
  };

  it('GIVEN an enabled service THEN request() resolves paths under the configured url and returns the response', async () => {
    const endpoint = await server(echo);
    const service = await enabledService({
      url: `${endpoint.url}/api/v1?ignored=1`,
      headers: { authorization: 'Bearer a' },
    });
    const response = await service.request('/users?page=2');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ method: 'GET', url: '/api/v1/users?page=2', token: 'Bearer a' });
    const posted = await service.request('items', {
      method: 'post',
      body: '{}',
      headers: { Authorization: 'Bearer b' },
    });
    expect(await posted.json()).toEqual({ method: 'POST', url: '/api/v1/items', token: 'Bearer b' });
  });

  it('GIVEN a path that leaves the endpoint THEN request() refuses it and sends nothing', async () => {
    const endpoint = await server(echo);
    const service = await enabledService({ url: endpoint.url, headers: { authorization: 'Bearer secret' } });
    for (const path of ['https://elsewhere.example/', '//elsewhere.example/x', '/\\elsewhere.example/x']) {
      await expect(service.request(path)).rejects.toThrow(TypeError);
    }
    expect(endpoint.requests).toEqual([]);
  });

  it('GIVEN a slow endpoint THEN request() rejects with a timeout error after timeoutMs', async () => {
    const endpoint = await server(() => undefined);
    const service = await enabledService({ url: endpoint.url });
    await expect(service.request('/slow', { timeoutMs: 150 })).rejects.toMatchObject({
      name: 'HttpEndpointError',
      kind: 'timeout',
      message: 'no response within 150 ms',
    });
  });

  it('GIVEN the caller aborts THEN request() rejects as aborted by the caller', async () => {
    const endpoint = await server(() => undefined);
    const service = await enabledService({ url: endpoint.url });
    const controller = new AbortController();
    const pending = service.request('/', { signal: controller.signal });
    await waitFor(() => endpoint.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({
      kind: 'aborted',
      message: 'request aborted by the caller',
    });
  });

  it('GIVEN a disabled service THEN request() is refused with SD_ERR_SERVICE_NOT_RUNNING', async () => {
    const endpoint = await server(echo);
    const service = await enabledService({ url: endpoint.url });
    await service.disable();
    expect(service.enabled).toBe(false);
    await expect(service.request('/')).rejects.toMatchObject({
      code: 'SD_ERR_SERVICE_NOT_RUNNING',
      message: expect.stringContaining('The HTTP endpoint service is disabled'),
    });
    expect(endpoint.requests).toEqual([]);
  });
});

describe('HttpEndpointService lifecycle', () => {
  it('GIVEN requests in flight WHEN the service is disabled THEN they are aborted and no socket or timer is left', async () => {
    const endpoint = await server(() => undefined);
    const service = await enabledService({ url: endpoint.url, timeoutMs: 30_000 });
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');

    const pending = Promise.allSettled([service.request('/a'), service.request('/b'), service.healthCheck()]);
    await waitFor(() => endpoint.requests.length === 3);
    expect(service.inFlightCount).toBe(3);
    expect(activeResources('TCPSocketWrap')).toBeGreaterThan(sockets);

    const started = performance.now();
    await service.disable();
    expect(performance.now() - started).toBeLessThan(500);
    const [first, second, check] = await pending;
    for (const outcome of [first, second]) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { kind: 'aborted', message: 'request aborted: the service was disabled' },
      });
    }
    expect(check).toEqual({ status: 'fulfilled', value: { status: 'inactive', message: 'disabled' } });
    expect(service.inFlightCount).toBe(0);
    // The server sees every connection closed by the client, and nothing of ours stays active.
    await waitFor(() => endpoint.openConnections() === 0);
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
  });

  it('GIVEN kept-alive connections WHEN the service is disabled THEN they are closed', async () => {
    const endpoint = await server();
    const service = await enabledService({ url: endpoint.url });
    await (await service.request('/')).text();
    expect(endpoint.openConnections()).toBe(1);
    await service.disable();
    await waitFor(() => endpoint.openConnections() === 0);
  });

  it('GIVEN no configuration THEN enable() fails with "not configured" and disable() still succeeds', async () => {
    const service = new HttpEndpointService();
    expect(() => service.enable()).toThrow(/^not configured: url is required/);
    await expect(service.disable()).resolves.toBeUndefined();
  });

  it('GIVEN an HttpEndpointError THEN it keeps its kind through toEndpointError', () => {
    const error = new HttpEndpointError('timeout', 'no response within 5000 ms');
    expect(toEndpointError(error, new URL('http://127.0.0.1/'))).toBe(error);
  });
});

describe('HttpEndpointService in a ServiceRegistryManager', () => {
  let dir: string | undefined;
  let manager: ServiceRegistryManager | undefined;

  afterEach(async () => {
    if (manager?.state === 'running') await manager.shutdown();
    if (dir) await rm(dir, { recursive: true, force: true });
    manager = undefined;
    dir = undefined;
  });

  /** The package's own sources, for discovering the service module the way a host's glob does. */
  const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

  /**
   * Starts a manager on a SQLite file in `dir`: with `register`, an instance given to registerService();
   * otherwise the service module discovered by glob, so core constructs it with its context.
   */
  async function startManager(
    how: 'register' | 'discover',
    logs: LogRecord[] = [],
  ): Promise<ServiceRegistryManager> {
    const file = path.join(dir as string, 'servicedeck.db');
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${file}` },
      discovery:
        how === 'register'
          ? { root: dir as string, scanDependencies: false }
          : { root: PACKAGE_ROOT, serviceGlobs: ['src/*.service.ts'], scanDependencies: false },
      logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
    });
    if (how === 'register') manager.registerService(new HttpEndpointService());
    await manager.start();
    return manager;
  }

  it('GIVEN no url THEN the service is inactive as not configured and getService() refuses it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-http-host-'));
    const m = await startManager('register');
    const info = m.getServiceInfo('http');
    expect(info).toMatchObject({
      type: 'wrapper',
      version: HTTP_PLUGIN_VERSION,
      status: 'inactive',
      running: false,
    });
    expect(info.statusMessage).toMatch(/^not configured/);
    expect(info.statusMessage).toBe('not configured: url is required');
    expect(() => m.getService('http')).toThrow(
      expect.objectContaining({ code: 'SD_ERR_SERVICE_NOT_RUNNING' }),
    );
  });

  it('GIVEN a stored url THEN core constructs the discovered service with its context, applies the defaults and starts it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-http-host-'));
    const endpoint = await server();
    // A first start puts the service in the catalog; its configuration is stored as one row per key.
    await (await startManager('discover')).shutdown();
    const db = await openDatabase({ url: `sqlite:${path.join(dir, 'servicedeck.db')}` });
    await db.repos.configuration.create({
      serviceId: 'http',
      configKey: 'url',
      configValue: JSON.stringify(endpoint.url),
    });
    await db.close();

    const logs: LogRecord[] = [];
    const m = await startManager('discover', logs);
    expect(m.getServiceInfo('http')).toMatchObject({ status: 'unknown', running: true });
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'endpoint configured',
        fields: expect.objectContaining({ service: 'http' }),
      }),
    );
    const service = m.getService<HttpEndpointService>('http');
    expect(service.getConfig()).toEqual({
      url: endpoint.url,
      expectedStatus: 200,
      timeoutMs: 5000,
      method: 'GET',
    });
    expect((await service.healthCheck()).status).toBe('active');
    await m.shutdown();
    expect(service.enabled).toBe(false);
  });
});
