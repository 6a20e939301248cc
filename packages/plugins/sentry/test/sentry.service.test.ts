import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Sentry from '@sentry/node';
import { checkConfig, type JsonObject, normalizeMetadata } from '@servicedeck/core';
import {
  activeResources,
  closedPort,
  startTestRegistry,
  type TestRegistry,
  waitFor,
} from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDsn, SENTRY_CONFIG_SCHEMA, SENTRY_PLUGIN_VERSION, SentryService } from '../src/index.js';
import { type FakeSentry, startFakeSentry } from './support/fake-sentry.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const fakes: FakeSentry[] = [];
const services: SentryService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fake(key?: string): Promise<FakeSentry> {
  const started = await startFakeSentry(key);
  fakes.push(started);
  return started;
}

function valid(config: JsonObject): JsonObject {
  const checked = checkConfig(SENTRY_CONFIG_SCHEMA, config, 'sentry');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

async function enabled(config: JsonObject): Promise<SentryService> {
  const service = new SentryService();
  services.push(service);
  await service.updateConfig(valid(config));
  await service.enable();
  return service;
}

describe('SentryService configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the DSN secret', async () => {
    const metadata = normalizeMetadata(new SentryService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'sentry', type: 'external', version: pkg.version });
    expect(SENTRY_PLUGIN_VERSION).toBe(pkg.version);
    const properties = SENTRY_CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>;
    expect(properties.dsn?.['x-secret']).toBe(true);
    expect(checkConfig(SENTRY_CONFIG_SCHEMA, {}, 'sentry').problems.map((p) => p.message)).toEqual([
      'dsn is required',
    ]);
  });

  it.each([
    ['not a dsn', 'invalid DSN: not a URL (expected https://<public key>@<host>/<project id>)'],
    ['ftp://key@host/1', 'invalid DSN: the scheme must be https or http, not ftp'],
    ['https://sentry.example.com/1', 'invalid DSN: it has no public key before the @'],
    ['https://key@sentry.example.com/', 'invalid DSN: it does not end with a numeric project id'],
  ])('GIVEN the DSN %s THEN it is refused in words', async (dsn, message) => {
    expect(() => parseDsn(dsn)).toThrowError(message);
    const service = new SentryService();
    services.push(service);
    await service.updateConfig(valid({ dsn }));
    await expect(service.enable()).rejects.toThrowError(message);
  });

  it('GIVEN a DSN with a path prefix THEN the ingest endpoint keeps it', () => {
    expect(parseDsn('https://k3y@o1.ingest.example.com/sentry/55')).toEqual({
      base: 'https://o1.ingest.example.com/sentry',
      publicKey: 'k3y',
      projectId: '55',
      host: 'o1.ingest.example.com',
    });
  });
});

describe('SentryService health', () => {
  it('GIVEN a working DSN THEN a client report (not an issue) reaches the ingest endpoint and health is active', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn });
    const result = await service.healthCheck();
    expect(result).toMatchObject({
      status: 'active',
      message: expect.stringMatching(
        new RegExp(`^envelope accepted by 127\\.0\\.0\\.1:${sentry.port} in \\d+ ms$`),
      ),
      details: { statusCode: 200 },
    });
    expect(sentry.items).toEqual([
      { type: 'client_report', payload: expect.objectContaining({ discarded_events: [] }) },
    ]);
  });

  it('GIVEN a key the server rejects THEN health says authentication failed without showing the key', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn.replace(sentry.publicKey, 'wrongkey') });
    const result = await service.healthCheck();
    expect(result).toMatchObject({
      status: 'error',
      message: `authentication failed: 127.0.0.1:${sentry.port} rejected the DSN's public key (401)`,
    });
    expect(JSON.stringify(result)).not.toContain('wrongkey');
  });

  it('GIVEN rate limiting, a slow answer, a hanging one THEN health says each in words', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn, timeoutMs: 1_000 });
    sentry.mode = 'rate-limited';
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: `rate limited by 127.0.0.1:${sentry.port}: retry after 30 s`,
    });
    sentry.mode = 'slow';
    expect((await service.healthCheck()).status).toBe('active');
    sentry.mode = 'hang';
    expect(await service.healthCheck()).toEqual({ status: 'error', message: 'no response within 1000 ms' });
  });

  it('GIVEN selfHostedHealth THEN /_health/ is checked too', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn, selfHostedHealth: true });
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: expect.stringMatching(/; self-hosted health ok$/),
    });
    sentry.mode = 'unhealthy';
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: 'self-hosted health: server error (503 Service Unavailable)',
    });
  });

  it('GIVEN the server stops and restarts, or nothing listens THEN health says connection refused, then recovers', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn });
    await sentry.stop();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${sentry.port}`,
    });
    await sentry.start();
    expect((await service.healthCheck()).status).toBe('active');
    const port = await closedPort();
    const nowhere = await enabled({ dsn: `http://key@127.0.0.1:${port}/1` });
    expect(await nowhere.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('SentryService as the process’s Sentry client', () => {
  it('GIVEN enabled THEN Sentry.captureException reaches the project; after a DSN change it reaches the new one', async () => {
    const one = await fake('keyone');
    const two = await fake('keytwo');
    const service = await enabled({ dsn: one.dsn, environment: 'staging' });
    expect(Sentry.getClient()).toBe(service.client);
    Sentry.captureException(new Error('first failure'));
    await Sentry.flush(2_000);
    await waitFor(() => one.items.some((item) => item.type === 'event'));
    const event = one.items.find((item) => item.type === 'event')?.payload as {
      environment?: string;
      exception?: { values?: { value?: string }[] };
    };
    expect(event.environment).toBe('staging');
    expect(event.exception?.values?.[0]?.value).toBe('first failure');

    const first = service.client;
    await service.updateConfig(valid({ dsn: two.dsn }));
    expect(Sentry.getClient()).toBe(service.client);
    expect(service.client).not.toBe(first);
    Sentry.captureException(new Error('second failure'));
    await Sentry.flush(2_000);
    await waitFor(() => two.items.some((item) => item.type === 'event'));
    expect(one.items.filter((item) => item.type === 'event')).toHaveLength(1);
  });

  it('GIVEN a new DSN the server rejects THEN the previous client stays installed and in use', async () => {
    const sentry = await fake();
    const service = await enabled({ dsn: sentry.dsn });
    const current = service.client;
    await expect(
      service.updateConfig(valid({ dsn: sentry.dsn.replace(sentry.publicKey, 'nope') })),
    ).rejects.toThrowError(
      `the new settings were not applied: authentication failed: 127.0.0.1:${sentry.port} rejected the DSN's public key (401); the previous client is still in use`,
    );
    expect(service.client).toBe(current);
    expect(Sentry.getClient()).toBe(current);
  });

  it('GIVEN disable THEN the client is uninstalled and closed, and no socket or timer is left', async () => {
    const sentry = await fake();
    const sockets = activeResources('TCPSocketWrap');
    const service = await enabled({ dsn: sentry.dsn });
    await service.healthCheck();
    Sentry.captureException(new Error('before disable'));
    await service.disable();
    expect(Sentry.getClient()).toBeUndefined();
    expect(() => service.client).toThrowError(/disabled or not configured/);
    await waitFor(() => sentry.items.some((item) => item.type === 'event'));
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });
});

describe('SentryService in a ServiceRegistryManager', () => {
  let registry: TestRegistry | undefined;
  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
  });

  it('GIVEN no DSN THEN it waits as not configured; a DSN THEN it runs; a rejected one THEN the old stays', async () => {
    const sentry = await fake();
    registry = await startTestRegistry([new SentryService()]);
    const { manager } = registry;
    expect(manager.getServiceInfo('sentry')).toMatchObject({
      status: 'inactive',
      statusMessage: 'not configured: dsn is required',
    });
    const actor = { actor: 'alice', adapter: 'test' };
    expect((await manager.updateConfig('sentry', { dsn: sentry.dsn }, actor)).applied).toBe('started');
    expect((await manager.checkHealth('sentry', { fresh: true })).status).toBe('active');
    const client = manager.getService<SentryService>('sentry').client;
    const wrong = sentry.dsn.replace(sentry.publicKey, 'badkey');
    await expect(manager.updateConfig('sentry', { dsn: wrong }, actor)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_APPLY_FAILED',
    });
    expect(manager.getService<SentryService>('sentry').client).toBe(client);
    const view = JSON.stringify(await manager.getConfig('sentry'));
    expect(view).not.toContain(sentry.publicKey);
    expect(view).not.toContain('badkey');
  });
});
