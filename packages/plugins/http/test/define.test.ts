import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkConfig,
  createLogger,
  generateKey,
  getDeclaredMetadata,
  type LogRecord,
  normalizeMetadata,
  PROCESS_SERVICE_ID,
  ServiceRegistryManager,
  type ServiceRegistryManagerOptions,
} from '@servicedeck/core';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { defineHttpService, HTTP_PLUGIN_VERSION, HttpEndpointService } from '../src/index.js';
import { GodboltService } from './fixtures/bot/services/godbolt.service.js';
import { TldrService } from './fixtures/bot/services/tldr.service.js';

const servers: TestServer[] = [];
const services: HttpEndpointService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const server of servers.splice(0)) await server.close();
});

const GCC = { id: 'g132', name: 'x86-64 gcc 13.2', lang: 'c++' };

/** A Compiler Explorer stand-in: the compiler list as JSON, only for clients that ask for JSON. */
async function godboltServer(): Promise<TestServer> {
  const server = await startServer((req, res) => {
    if (req.headers.accept !== 'application/json') {
      res.writeHead(406, { 'content-type': 'text/plain' });
      res.end('Compiler Name\n');
      return;
    }
    if (req.url === '/api/compilers')
      sendJson(res, 200, [GCC, { id: 'rustc', name: 'rustc 1.80', lang: 'rust' }]);
    else if (req.url === '/api/compilers/c++') sendJson(res, 200, [GCC]);
    else sendJson(res, 404, { error: 'not found' });
  });
  servers.push(server);
  return server;
}

/** A tldr pages mirror stand-in: one page, and a token check when one is expected. */
async function tldrServer(token?: string): Promise<TestServer> {
  const server = await startServer((req, res) => {
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      sendJson(res, 401, { message: 'Bad credentials' });
      return;
    }
    if (req.url === '/pages/common/tar.md') {
      res.writeHead(200, { 'content-type': 'text/markdown' });
      res.end('# tar\n\n> Archiving utility.\n');
      return;
    }
    sendJson(res, 200, { commands: ['tar'] });
  });
  servers.push(server);
  return server;
}

describe('defineHttpService', () => {
  it('GIVEN a definition with a default url THEN the class has its own metadata and is configured out of the box', () => {
    const metadata = normalizeMetadata(getDeclaredMetadata(GodboltService), 'test');
    expect(metadata).toMatchObject({
      id: 'godbolt',
      name: 'Godbolt API',
      type: 'wrapper',
      version: null,
      tags: ['api', 'code'],
      description: 'Compiles and runs code snippets for the /compile command.',
    });
    expect(GodboltService.name).toBe('GodboltService');
    expect(new GodboltService()).toBeInstanceOf(HttpEndpointService);
    expect(checkConfig(metadata.configSchema, {}, 'godbolt')).toEqual({
      config: {
        url: 'https://godbolt.org/api/compilers',
        expectedStatus: 200,
        timeoutMs: 5000,
        method: 'GET',
      },
      problems: [],
    });
    expect(
      checkConfig(metadata.configSchema, { url: 'http://127.0.0.1:9/api' }, 'godbolt').config,
    ).toMatchObject({ url: 'http://127.0.0.1:9/api' });
    // The bundled service keeps its own metadata.
    expect(new HttpEndpointService().getMetadata()).toMatchObject({
      id: 'http',
      version: HTTP_PLUGIN_VERSION,
    });
  });

  it('GIVEN a definition without a url THEN url is required and the other defaults come from the definition', () => {
    const metadata = normalizeMetadata(getDeclaredMetadata(TldrService), 'test');
    expect(metadata.healthCheck.intervalMs).toBe(60_000);
    expect(checkConfig(metadata.configSchema, {}, 'tldr').problems).toEqual([
      { path: '/url', message: 'url is required' },
    ]);
    expect(checkConfig(metadata.configSchema, { url: 'https://tldr.example/' }, 'tldr').config).toEqual({
      url: 'https://tldr.example/',
      expectedStatus: 200,
      timeoutMs: 2000,
      method: 'GET',
    });
  });

  it('GIVEN an invalid definition THEN defineHttpService refuses it, naming what is wrong', () => {
    expect(() => defineHttpService({ id: 'Godbolt', name: 'Godbolt' })).toThrowError(
      expect.objectContaining({
        code: 'SD_ERR_INVALID_METADATA',
        message: expect.stringContaining('id "Godbolt" must be lowercase letters and digits'),
      }),
    );
    expect(() => defineHttpService({ id: 'ftp', name: 'FTP', url: 'ftp://files.example/' })).toThrowError(
      expect.objectContaining({
        code: 'SD_ERR_INVALID_METADATA',
        message: expect.stringMatching(
          /^defineHttpService\("ftp"\): the defaults are not valid settings: url: must match pattern "\^https\?:\/\/"\./,
        ),
      }),
    );
    expect(() => defineHttpService({ id: 'slow', name: 'Slow', timeoutMs: 10 })).toThrowError(
      /defineHttpService\("slow"\): the defaults are not valid settings: timeoutMs/,
    );
  });

  it('GIVEN defined headers THEN every request sends them, under the configured headers', async () => {
    const godbolt = await godboltServer();
    const service = new GodboltService();
    services.push(service);
    const url = `${godbolt.url}/api/compilers`;
    const schema = service.getMetadata().configSchema;
    service.updateConfig(checkConfig(schema, { url }, 'godbolt').config);
    service.enable();
    expect(await service.healthCheck()).toMatchObject({ status: 'active' });
    const compilers = await service.request('c++');
    expect(await compilers.json()).toEqual([GCC]);
    expect(godbolt.requests.map((r) => r.headers)).toEqual([
      expect.objectContaining({ accept: 'application/json', connection: 'close' }),
      expect.objectContaining({
        accept: 'application/json',
        'user-agent': `servicedeck-plugin-http/${HTTP_PLUGIN_VERSION}`,
      }),
    ]);
    service.updateConfig(checkConfig(schema, { url, headers: { Accept: 'text/plain' } }, 'godbolt').config);
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: 'expected 200, got 406 Not Acceptable',
    });
    expect(godbolt.requests.at(-1)?.headers.accept).toBe('text/plain');
  });

  it('GIVEN a disabled defined service THEN request() is refused with its own name and id', async () => {
    const service = new TldrService();
    await expect(service.request('/pages/common/tar.md')).rejects.toMatchObject({
      code: 'SD_ERR_SERVICE_NOT_RUNNING',
      message: expect.stringMatching(
        /^The TLDR pages service is not configured; request\("\/pages\/common\/tar\.md"\) was refused\. Check manager\.isEnabled\('tldr'\)/,
      ),
      details: { serviceId: 'tldr' },
    });
  });
});

describe('defined HTTP services in a ServiceRegistryManager', () => {
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

  /**
   * A manager on a SQLite file that discovers the bundled `http` service and the bot's service files
   * (the two fixtures), with scheduled checks off so nothing is requested unless a test asks.
   */
  async function startManager(
    env: NodeJS.ProcessEnv,
    logs: LogRecord[] = [],
  ): Promise<ServiceRegistryManager> {
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-http-define-'));
    const options: ServiceRegistryManagerOptions = {
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: {
        root: PACKAGE_ROOT,
        serviceGlobs: ['src/*.service.ts', 'test/fixtures/bot/services/*.service.ts'],
        scanDependencies: false,
      },
      config: {
        env: { SERVICEDECK_MASTER_KEY: Buffer.from(await generateKey()).toString('base64'), ...env },
        cwd: dir,
      },
      health: { schedule: false },
      logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
    };
    manager = new ServiceRegistryManager(options);
    await manager.start();
    return manager;
  }

  it("GIVEN the bot's service files THEN discovery finds both wrappers beside the bundled http service", async () => {
    const logs: LogRecord[] = [];
    const m = await startManager({}, logs);
    const report = await m.discoverServices();
    expect(report.problems).toEqual([]);
    expect(report.services.map((s) => s.metadata.id).sort()).toEqual(
      ['godbolt', 'http', PROCESS_SERVICE_ID, 'tldr'].sort(),
    );
    expect(report.services.find((s) => s.metadata.id === 'godbolt')?.source).toMatch(
      /test\/fixtures\/bot\/services\/godbolt\.service\.ts$/,
    );
    // Core constructed the discovered class with its own context: its log lines carry its id.
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'endpoint configured',
        fields: expect.objectContaining({ service: 'godbolt', origin: 'https://godbolt.org' }),
      }),
    );
    // godbolt has a default url, so it runs without any setting; tldr and http wait for theirs.
    expect(m.getServiceInfo('godbolt')).toMatchObject({ type: 'wrapper', running: true });
    expect(m.getServiceInfo('tldr')).toMatchObject({
      status: 'inactive',
      running: false,
      statusMessage: 'not configured: url is required',
    });
    expect(m.getServiceInfo('http')).toMatchObject({
      status: 'inactive',
      statusMessage: 'not configured: url is required',
    });
    const view = await m.getConfig('godbolt');
    expect(view.fields.find((f) => f.key === 'url')).toMatchObject({
      value: 'https://godbolt.org/api/compilers',
      source: 'default',
      envVar: 'SERVICEDECK_SVC_GODBOLT__URL',
    });
  });

  it('GIVEN two wrappers against their own servers THEN each has its own settings, environment variables and health', async () => {
    const godbolt = await godboltServer();
    const tldr = await tldrServer('tldr-token-1');
    const m = await startManager({ SERVICEDECK_SVC_GODBOLT__URL: `${godbolt.url}/api/compilers` });

    const godboltView = await m.getConfig('godbolt');
    expect(godboltView.fields.find((f) => f.key === 'url')).toMatchObject({
      value: `${godbolt.url}/api/compilers`,
      source: 'env',
      envVar: 'SERVICEDECK_SVC_GODBOLT__URL',
    });
    expect(await m.checkHealth('godbolt')).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/^200 OK in \d+ ms$/),
    });

    await m.updateConfig('tldr', { url: tldr.url, headers: { authorization: 'Bearer tldr-token-1' } }, admin);
    expect(m.getServiceInfo('tldr')).toMatchObject({ running: true });
    expect(await m.checkHealth('tldr', { fresh: true })).toMatchObject({ status: 'active' });
    const tldrView = await m.getConfig('tldr');
    expect(tldrView.fields.map((f) => f.envVar)).toEqual([
      'SERVICEDECK_SVC_TLDR__URL',
      'SERVICEDECK_SVC_TLDR__EXPECTED_STATUS',
      'SERVICEDECK_SVC_TLDR__TIMEOUT_MS',
      'SERVICEDECK_SVC_TLDR__METHOD',
      'SERVICEDECK_SVC_TLDR__HEADERS',
    ]);
    expect(tldrView.values).toMatchObject({ url: tldr.url, timeoutMs: 2000 });
    expect(JSON.stringify(tldrView)).not.toContain('tldr-token-1');

    // One API going down shows on its own service only, and its recovery too.
    await tldr.stop();
    expect(await m.checkHealth('tldr', { fresh: true })).toMatchObject({
      status: 'error',
      message: `connection refused by 127.0.0.1:${tldr.port}`,
    });
    expect(await m.checkHealth('godbolt', { fresh: true })).toMatchObject({ status: 'active' });
    await tldr.start();
    expect(await m.checkHealth('tldr', { fresh: true })).toMatchObject({ status: 'active' });

    // The bot's code reaches each API through its own service.
    const page = await m.getService<HttpEndpointService>('tldr').request('/pages/common/tar.md');
    expect(await page.text()).toContain('Archiving utility.');
    const compilers = await m.getService<HttpEndpointService>('godbolt').request('c++');
    expect(await compilers.json()).toEqual([GCC]);
    expect(godbolt.requests.every((r) => r.headers.authorization === undefined)).toBe(true);

    // A wrong token for tldr is rejected and leaves tldr on its working settings; godbolt is not touched.
    const rejected = m.updateConfig('tldr', { headers: { authorization: 'Bearer wrong' } }, admin);
    await expect(rejected).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(rejected).rejects.toThrow(/expected 200, got 401 Unauthorized/);
    expect((await m.getService<HttpEndpointService>('tldr').request('/pages/common/tar.md')).status).toBe(
      200,
    );
  });

  it('GIVEN defined services passed to registerService THEN they run beside each other in one manager', async () => {
    const first = await tldrServer();
    const second = await tldrServer();
    const Mirror = defineHttpService({ id: 'tldr-mirror', name: 'TLDR mirror', url: `${second.url}/` });
    dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-http-define-'));
    manager = new ServiceRegistryManager({
      database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
      discovery: { root: dir, scanDependencies: false },
      config: { env: { SERVICEDECK_SVC_TLDR__URL: first.url }, cwd: dir },
      health: { schedule: false },
    });
    manager.registerService(new TldrService());
    manager.registerService(new Mirror());
    await manager.start();
    expect((await manager.checkHealth('tldr')).status).toBe('active');
    expect((await manager.checkHealth('tldr-mirror')).status).toBe('active');
    expect(first.requests.map((r) => r.url)).toEqual(['/']);
    expect(second.requests.map((r) => r.url)).toEqual(['/']);
    expect((await manager.getConfig('tldr-mirror')).fields[0]?.envVar).toBe(
      'SERVICEDECK_SVC_TLDR_MIRROR__URL',
    );
  });
});
