/**
 * The generated plugin's own test, for `node --test`: its metadata and schema through core, its health
 * checks against real HTTP servers on 127.0.0.1, and the built package discovered by a real
 * `ServiceRegistryManager` on a temporary SQLite file. It needs only core and Node.js, so it runs offline.
 */
import { namedBindings, type PluginSpec, type ScaffoldFile } from './spec.js';

/** test/<id>.service.test.mjs. */
export function testFile(spec: PluginSpec): ScaffoldFile {
  const { constantPrefix: C, className, serviceId, title, type } = spec;
  return {
    path: `test/${serviceId}.service.test.mjs`,
    content: `/**
 * The ${title} service against real HTTP servers on 127.0.0.1, and the built package in a bot, found by a
 * real ServiceRegistryManager. \`npm test\` builds the package first.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  checkConfig,
  getDeclaredMetadata,
  normalizeMetadata,
  ServiceRegistryManager,
  secretKeys,
} from '@servicedeck/core';
${namedBindings('import', [`${C}_CONFIG_SCHEMA`, `${C}_PLUGIN_VERSION`, className], '../dist/index.js')}

const ID = '${serviceId}';
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(await readFile(path.join(PACKAGE_DIR, 'package.json'), 'utf8'));

/** An HTTP server on 127.0.0.1 that answers with \`handler\` and records each request. */
async function startServer(handler) {
  const requests = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method, url: request.url, headers: request.headers });
    handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: \`http://127.0.0.1:\${port}/status\`,
    port,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A handler answering \`status\` with a small JSON body. */
function answer(status) {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  };
}

/** A service set up the way the manager does it: settings checked against the schema, then enabled. */
async function enabledService(settings) {
  const checked = checkConfig(${C}_CONFIG_SCHEMA, settings, ID);
  assert.deepEqual(checked.problems, []);
  const service = new ${className}();
  await service.updateConfig(checked.config);
  await service.enable();
  return service;
}

/** How many sockets and timers this process holds open. */
function openHandles() {
  const resources = process.getActiveResourcesInfo();
  return {
    sockets: resources.filter((name) => name === 'TCPSocketWrap').length,
    timers: resources.filter((name) => name === 'Timeout').length,
  };
}

/** The open sockets and timers once closing ones are gone (closing takes a few turns of the event loop). */
async function handlesOnceSettled(expected) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const now = openHandles();
    if (now.sockets === expected.sockets && now.timers === expected.timers) return now;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return openHandles();
}

describe('${className} metadata and configuration', () => {
  it('declares valid metadata, with the version of package.json', () => {
    const declared = getDeclaredMetadata(${className});
    const metadata = normalizeMetadata(declared, '${className}');
    assert.equal(metadata.id, '${serviceId}');
    assert.equal(metadata.type, '${type}');
    assert.equal(metadata.version, manifest.version);
    assert.equal(${C}_PLUGIN_VERSION, manifest.version);
  });

  it('needs a url, applies the defaults, and keeps apiKey secret', () => {
    assert.deepEqual(checkConfig(${C}_CONFIG_SCHEMA, {}, ID).problems, [
      { path: '/url', message: 'url is required' },
    ]);
    const url = 'https://api.example.com/health';
    assert.deepEqual(checkConfig(${C}_CONFIG_SCHEMA, { url }, ID), {
      config: { url, timeoutMs: 5000 },
      problems: [],
    });
    const unusable = { url: 'ftp://example.com', colour: 'blue' };
    const wrong = checkConfig(${C}_CONFIG_SCHEMA, unusable, ID);
    assert.deepEqual(
      wrong.problems.map((problem) => problem.path),
      ['/colour', '/url'],
    );
    assert.deepEqual([...secretKeys(${C}_CONFIG_SCHEMA)], ['apiKey']);
  });
});

describe('${className} health checks', () => {
  it('is active when the endpoint answers 2xx, and sends the api key', async () => {
    const server = await startServer(answer(200));
    const service = await enabledService({ url: server.url, apiKey: 'key-123' });
    try {
      const result = await service.healthCheck();
      assert.equal(result.status, 'active');
      assert.match(result.message, /^200 OK in \\d+ ms$/);
      assert.equal(result.details.statusCode, 200);
      assert.equal(server.requests[0].method, 'GET');
      assert.equal(server.requests[0].url, '/status');
      assert.equal(server.requests[0].headers.authorization, 'Bearer key-123');
    } finally {
      await service.disable();
      await server.stop();
    }
  });

  it('is in error, with the status, when the endpoint answers otherwise', async () => {
    for (const [status, message] of [
      [503, 'unexpected 503 Service Unavailable'],
      [401, 'authentication failed (401 Unauthorized)'],
    ]) {
      const server = await startServer(answer(status));
      const service = await enabledService({ url: server.url });
      try {
        const result = await service.healthCheck();
        assert.equal(result.status, 'error');
        assert.equal(result.message, message);
        assert.equal(result.details.statusCode, status);
      } finally {
        await service.disable();
        await server.stop();
      }
    }
  });

  it('is in error when nothing listens, or when the endpoint does not answer in time', async () => {
    const closed = await startServer(answer(200));
    await closed.stop();
    const refused = await enabledService({ url: closed.url });
    assert.deepEqual(await refused.healthCheck(), {
      status: 'error',
      message: \`connection refused by 127.0.0.1:\${closed.port}\`,
      details: { reason: 'connection-refused', code: 'ECONNREFUSED' },
    });
    await refused.disable();

    const silent = await startServer(() => {});
    const slow = await enabledService({ url: silent.url, timeoutMs: 100 });
    try {
      assert.deepEqual(await slow.healthCheck(), {
        status: 'error',
        message: 'no response within 100 ms',
        details: { reason: 'timeout' },
      });
    } finally {
      await slow.disable();
      await silent.stop();
    }
  });

  it('is inactive while not configured or disabled, and refuses its endpoint then', async () => {
    assert.deepEqual(await new ${className}().healthCheck(), {
      status: 'inactive',
      message: 'not configured: url is required',
    });
    const service = await enabledService({ url: 'http://127.0.0.1:9/' });
    assert.equal(service.endpoint.href, 'http://127.0.0.1:9/');
    await service.disable();
    assert.deepEqual(await service.healthCheck(), { status: 'inactive', message: 'disabled' });
    assert.throws(() => service.endpoint, { code: 'SD_ERR_SERVICE_NOT_RUNNING' });
  });

  it('leaves no socket or timer behind when disabled during a check', async () => {
    const silent = await startServer(() => {});
    const before = openHandles();
    const service = await enabledService({ url: silent.url });
    const check = service.healthCheck();
    while (silent.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await service.disable();
    assert.deepEqual(await check, { status: 'inactive', message: 'disabled' });
    await silent.stop();
    assert.deepEqual(await handlesOnceSettled(before), before);
  });
});

describe('the built package in a bot', () => {
  it('is discovered as a dependency of the bot, not configured until it has a url, then active', async () => {
    const bot = await mkdtemp(path.join(tmpdir(), \`\${ID}-bot-\`));
    await writeFile(
      path.join(bot, 'package.json'),
      JSON.stringify({ name: 'bot', private: true, dependencies: { [manifest.name]: manifest.version } }),
    );
    const link = path.join(bot, 'node_modules', ...manifest.name.split('/'));
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(PACKAGE_DIR, link, process.platform === 'win32' ? 'junction' : 'dir');
    const server = await startServer(answer(200));
    const manager = new ServiceRegistryManager({
      database: { url: \`sqlite:\${path.join(bot, 'servicedeck.db')}\` },
      discovery: { root: bot },
      config: { env: {}, cwd: bot },
      health: { schedule: false },
      sync: { enabled: false },
      processHealth: false,
      strict: true,
    });
    try {
      await manager.start();
      const found = manager.getServiceInfo(ID);
      assert.equal(found.status, 'inactive');
      assert.equal(found.statusMessage, 'not configured: url is required');
      assert.match(found.source, /dist[\\\\/]${serviceId}\\.service\\.js \\(package /);

      const settings = { url: server.url, apiKey: 'key-456' };
      await manager.updateConfig(ID, settings, { actor: 'test', adapter: 'test' });
      const record = await manager.checkHealth(ID, { fresh: true });
      assert.equal(record.status, 'active');
      assert.match(record.message, /^200 OK in \\d+ ms$/);
      assert.equal(server.requests.at(-1).headers.authorization, 'Bearer key-456');
      assert.equal((await manager.getConfig(ID)).values.apiKey, '••••••');
    } finally {
      if (manager.state === 'running') await manager.shutdown();
      await server.stop();
      await rm(bot, { recursive: true, force: true });
    }
  });
});
`,
  };
}
