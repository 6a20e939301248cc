import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig, type JsonObject, normalizeMetadata } from '@servicedeck/core';
import {
  activeResources,
  closedPort,
  startTestRegistry,
  type TestRegistry,
  waitFor,
} from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { MAILCOW_CONFIG_SCHEMA, MAILCOW_PLUGIN_VERSION, MailcowService, smtpHello } from '../src/index.js';
import {
  type FakeMailcowApi,
  type FakeSmtp,
  startFakeMailcowApi,
  startFakeSmtp,
} from './support/fake-mailcow.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const closers: (() => Promise<void>)[] = [];
const services: MailcowService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const close of closers.splice(0)) await close();
});

async function servers(): Promise<{ api: FakeMailcowApi; smtp: FakeSmtp }> {
  const api = await startFakeMailcowApi();
  const smtp = await startFakeSmtp();
  closers.push(
    () => api.close(),
    () => smtp.close(),
  );
  return { api, smtp };
}

function valid(config: JsonObject): JsonObject {
  const checked = checkConfig(MAILCOW_CONFIG_SCHEMA, config, 'mailcow');
  expect(checked.problems).toEqual([]);
  return checked.config;
}

const settings = (
  { api, smtp }: { api: FakeMailcowApi; smtp: FakeSmtp },
  more: JsonObject = {},
): JsonObject => ({
  url: api.url,
  apiKey: api.apiKey,
  smtpHost: '127.0.0.1',
  smtpPort: smtp.port,
  ...more,
});

async function enabled(config: JsonObject): Promise<MailcowService> {
  const service = new MailcowService();
  services.push(service);
  await service.updateConfig(valid(config));
  await service.enable();
  return service;
}

describe('MailcowService configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the key and password secret', async () => {
    const metadata = normalizeMetadata(new MailcowService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'mailcow', type: 'external', version: pkg.version });
    expect(MAILCOW_PLUGIN_VERSION).toBe(pkg.version);
    const properties = MAILCOW_CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>;
    expect(properties.apiKey?.['x-secret']).toBe(true);
    expect(properties.smtpPassword?.['x-secret']).toBe(true);
    const messages = (config: JsonObject): string[] =>
      checkConfig(MAILCOW_CONFIG_SCHEMA, config, 'mailcow').problems.map((p) => p.message);
    expect(messages({})).toEqual(['url is required', 'apiKey is required']);
    expect(messages({ url: 'https://mail.example.com', apiKey: 'k', smtpUser: 'bot@example.com' })).toEqual([
      'must have property smtpPassword when property smtpUser is present',
    ]);
  });
});

describe('MailcowService health', () => {
  it('GIVEN a working API key and SMTP host THEN health is active with the containers and the EHLO capabilities', async () => {
    const both = await servers();
    const service = await enabled(settings(both));
    const result = await service.healthCheck();
    expect(result).toMatchObject({
      status: 'active',
      message: `5 containers running; SMTP 127.0.0.1:${both.smtp.port} EHLO ok`,
      details: {
        containers: 5,
        smtpGreeting: 'mail.example.com ESMTP Postfix',
        smtpCapabilities: ['PIPELINING', 'SIZE 104857600', '8BITMIME', 'SMTPUTF8'],
      },
    });
    await waitFor(() => both.smtp.open() === 0);
  });

  it('GIVEN a wrong key, a key not allowed from this address, or a stopped container THEN health says which', async () => {
    const both = await servers();
    expect(await (await enabled(settings(both, { apiKey: 'WRONG' }))).healthCheck()).toEqual({
      status: 'error',
      message: 'authentication failed: API key rejected',
    });
    both.api.mode = 'ip-not-allowed';
    expect(await (await enabled(settings(both))).healthCheck()).toEqual({
      status: 'error',
      message: 'permission denied: api access denied for ip 203.0.113.9',
    });
    both.api.mode = 'postfix-stopped';
    expect(await (await enabled(settings(both))).healthCheck()).toMatchObject({
      status: 'error',
      message: 'containers not running: postfix-mailcow (exited)',
    });
  });

  it('GIVEN an SMTP host that refuses, stays silent or rejects THEN health says so, prefixed SMTP', async () => {
    const both = await servers();
    const service = await enabled(settings(both, { timeoutMs: 500 }));
    both.smtp.mode = 'silent';
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `SMTP: no greeting within 500 ms from 127.0.0.1:${both.smtp.port}`,
    });
    both.smtp.mode = 'reject';
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'SMTP: 554 5.7.1 mail.example.com: access denied for your address',
    });
    const port = await closedPort();
    const refused = await enabled(settings(both, { smtpPort: port }));
    expect(await refused.healthCheck()).toEqual({
      status: 'error',
      message: `SMTP: connection refused by 127.0.0.1:${port}`,
    });
  });

  it('GIVEN a slow API THEN health is active; a hanging one THEN it fails after the timeout', async () => {
    const both = await servers();
    const service = await enabled(settings(both, { timeoutMs: 1_000 }));
    both.api.mode = 'slow';
    expect((await service.healthCheck()).status).toBe('active');
    both.api.mode = 'hang';
    expect(await service.healthCheck()).toEqual({ status: 'error', message: 'no response within 1000 ms' });
  });

  it('GIVEN the API server stops and restarts while enabled THEN health says connection refused, then recovers', async () => {
    const both = await servers();
    const service = await enabled(settings(both));
    await both.api.stop();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${both.api.port}`,
    });
    await both.api.start();
    expect((await service.healthCheck()).status).toBe('active');
  });
});

describe('MailcowService for the bot', () => {
  it('GIVEN mail sent through the client THEN the SMTP server receives it; the API answers typed data', async () => {
    const both = await servers();
    const service = await enabled(settings(both));
    const info = await service.client.mail.sendMail({
      from: 'bot@example.com',
      to: 'admin@example.com',
      subject: 'Weekly report',
      text: 'All services active.',
    });
    expect(info.accepted).toEqual(['admin@example.com']);
    expect(both.smtp.received).toHaveLength(1);
    expect(both.smtp.received[0]).toMatchObject({ from: 'bot@example.com', to: ['admin@example.com'] });
    expect(both.smtp.received[0]?.data).toContain('Subject: Weekly report');
    expect(await service.client.api.version()).toBe('2024-11b');
    expect((await service.client.api.mailboxes()).map((m) => m.username)).toEqual(['bot@example.com']);
    expect((await service.client.api.domains())[0]?.domain_name).toBe('example.com');
  });

  it('GIVEN new settings with a wrong key THEN they are refused and the old client stays in use', async () => {
    const both = await servers();
    const service = await enabled(settings(both));
    const current = service.client;
    await expect(service.updateConfig(valid(settings(both, { apiKey: 'WRONG' })))).rejects.toThrowError(
      'the new settings were not applied: authentication failed: API key rejected; the previous client is still in use',
    );
    expect(service.client).toBe(current);
  });

  it('GIVEN disable THEN the client is refused and no socket or timer is left', async () => {
    const both = await servers();
    const sockets = activeResources('TCPSocketWrap');
    const service = await enabled(settings(both));
    await service.healthCheck();
    await service.client.mail.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' });
    await service.disable();
    expect(() => service.client).toThrowError(/disabled or not configured/);
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });

  it('GIVEN an SMTP check aborted by its signal THEN it stops at once and leaves no socket', async () => {
    const both = await servers();
    both.smtp.mode = 'silent';
    const sockets = activeResources('TCPSocketWrap');
    const controller = new AbortController();
    const hello = smtpHello(
      { host: '127.0.0.1', port: both.smtp.port, secure: false, timeoutMs: 30_000 },
      controller.signal,
    );
    await waitFor(() => both.smtp.sessions === 1);
    controller.abort();
    await expect(hello).rejects.toThrowError('SMTP: check aborted');
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });
});

describe('MailcowService in a ServiceRegistryManager', () => {
  let registry: TestRegistry | undefined;
  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
  });

  it('GIVEN no settings THEN it waits as not configured; settings THEN it runs; a wrong key THEN the old client stays', async () => {
    const both = await servers();
    registry = await startTestRegistry([new MailcowService()]);
    const { manager } = registry;
    expect(manager.getServiceInfo('mailcow')).toMatchObject({
      status: 'inactive',
      statusMessage: 'not configured: url is required, apiKey is required',
    });
    const actor = { actor: 'alice', adapter: 'test' };
    expect((await manager.updateConfig('mailcow', settings(both), actor)).applied).toBe('started');
    expect((await manager.checkHealth('mailcow', { fresh: true })).status).toBe('active');
    const client = manager.getService<MailcowService>('mailcow').client;
    await expect(manager.updateConfig('mailcow', { apiKey: 'WRONG-KEY' }, actor)).rejects.toMatchObject({
      code: 'SD_ERR_CONFIG_APPLY_FAILED',
    });
    expect(manager.getService<MailcowService>('mailcow').client).toBe(client);
    const view = JSON.stringify(await manager.getConfig('mailcow'));
    expect(view).not.toContain(both.api.apiKey);
    expect(view).not.toContain('WRONG-KEY');
  });
});
