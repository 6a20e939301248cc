import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig, type JsonObject, normalizeMetadata } from '@servicedeck/core';
import { formatClock } from '@servicedeck/plugin-kit';
import {
  activeResources,
  closedPort,
  startTestRegistry,
  type TestRegistry,
  waitFor,
} from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { GITHUB_CONFIG_SCHEMA, GITHUB_PLUGIN_VERSION, GitHubService } from '../src/index.js';
import { type FakeGitHub, rsaKeyPair, startFakeGitHub } from './support/fake-github.js';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));

const fakes: FakeGitHub[] = [];
const services: GitHubService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.disable();
  for (const fake of fakes.splice(0)) await fake.close();
});

async function fake(login?: string): Promise<FakeGitHub> {
  const started = await startFakeGitHub(login);
  fakes.push(started);
  return started;
}

/** Validated as core does (defaults applied), then given to a new service. */
function configured(config: JsonObject): GitHubService {
  const checked = checkConfig(GITHUB_CONFIG_SCHEMA, config, 'github');
  expect(checked.problems).toEqual([]);
  const service = new GitHubService();
  services.push(service);
  void service.updateConfig(checked.config);
  return service;
}

async function enabled(config: JsonObject): Promise<GitHubService> {
  const service = configured(config);
  await service.enable();
  return service;
}

const resets = (github: FakeGitHub): string => formatClock(new Date(github.rate.reset * 1000));

describe('GitHubService metadata and configuration', () => {
  it('GIVEN the declared metadata THEN core accepts it with the package version and the credentials secret', async () => {
    const metadata = normalizeMetadata(new GitHubService().getMetadata(), 'test');
    const pkg = JSON.parse(await readFile(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(metadata).toMatchObject({ id: 'github', type: 'external', version: pkg.version });
    expect(GITHUB_PLUGIN_VERSION).toBe(pkg.version);
    const properties = GITHUB_CONFIG_SCHEMA.properties as Record<string, Record<string, unknown>>;
    expect(properties.token?.['x-secret']).toBe(true);
    expect(properties.privateKey?.['x-secret']).toBe(true);
  });

  it('GIVEN no credentials, or half of the app credentials THEN core says what is missing', () => {
    const messages = (config: JsonObject): string[] =>
      checkConfig(GITHUB_CONFIG_SCHEMA, config, 'github').problems.map((p) => p.message);
    expect(messages({})).toEqual(['either token, or appId, privateKey and installationId, is required']);
    expect(messages({ appId: 1 })).toEqual(['either token, or privateKey and installationId, is required']);
    expect(messages({ token: 'ghp_x' })).toEqual([]);
    expect(messages({ token: 'ghp_x', baseUrl: 'ftp://x' })).toContain('must match pattern "^https?://"');
  });
});

describe('GitHubService with a token', () => {
  it('GIVEN a valid token THEN health is active with the quota left and when it resets, and the bot gets an Octokit client', async () => {
    const github = await fake();
    const service = await enabled({ baseUrl: github.url, token: github.token });
    const result = await service.healthCheck();
    expect(result).toMatchObject({
      status: 'active',
      message: `rate limit 4990/5000 left, resets ${resets(github)}`,
      details: {
        limit: 5000,
        remaining: 4990,
        used: 10,
        resetsAt: new Date(github.rate.reset * 1000).toISOString(),
      },
    });
    const { data } = await service.client.rest.users.getAuthenticated();
    expect(data.login).toBe('servicedeck-bot');
    expect(github.requests.at(-1)?.headers['user-agent']).toMatch(/^servicedeck-plugin-github\/0\.1\.0/);
  });

  it('GIVEN a quota below lowQuotaPercent THEN health stays active and the message warns', async () => {
    const github = await fake();
    github.rate = { ...github.rate, remaining: 4, used: 4996 };
    const service = await enabled({ baseUrl: github.url, token: github.token });
    expect(await service.healthCheck()).toMatchObject({
      status: 'active',
      message: `low quota: rate limit 4/5000 left, resets ${resets(github)}`,
    });
  });

  it('GIVEN the quota exhausted THEN health is error, and the bot’s calls fail with the same words', async () => {
    const github = await fake();
    github.rate = { ...github.rate, remaining: 0, used: 5000 };
    const service = await enabled({ baseUrl: github.url, token: github.token });
    const words = `rate limit exhausted (0/5000), resets ${resets(github)}`;
    expect(await service.healthCheck()).toMatchObject({ status: 'error', message: words });
    const failure = await service.client.rest.users.getAuthenticated().catch((error: unknown) => error);
    expect(service.describeGitHubFailure(failure)).toBe(words);
  });

  it('GIVEN a wrong token THEN health says authentication failed in GitHub’s words', async () => {
    const github = await fake();
    const service = await enabled({ baseUrl: github.url, token: 'ghp_wrong' });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'authentication failed: bad credentials',
    });
  });

  it('GIVEN a secondary rate limit or a gateway error THEN health says so', async () => {
    const github = await fake();
    const service = await enabled({ baseUrl: github.url, token: github.token });
    github.mode = 'secondary-limit';
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: 'secondary rate limit: GitHub asks to wait 60 s before the next request',
    });
    github.mode = 'bad-gateway';
    expect(await service.healthCheck()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^server error \(502 Bad Gateway\)/),
    });
  });

  it('GIVEN a slow answer within the timeout THEN health is active; a hanging one THEN it fails after the timeout', async () => {
    const github = await fake();
    const service = await enabled({ baseUrl: github.url, token: github.token, timeoutMs: 1_000 });
    github.mode = 'slow';
    expect((await service.healthCheck()).status).toBe('active');
    github.mode = 'hang';
    expect(await service.healthCheck()).toEqual({ status: 'error', message: 'no response within 1000 ms' });
  });

  it('GIVEN the server stops and restarts while enabled THEN health says connection refused, then recovers', async () => {
    const github = await fake();
    const service = await enabled({ baseUrl: github.url, token: github.token });
    expect((await service.healthCheck()).status).toBe('active');
    await github.stop();
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${github.port}`,
    });
    await github.start();
    expect((await service.healthCheck()).status).toBe('active');
  });

  it('GIVEN nothing listening THEN health says connection refused', async () => {
    const port = await closedPort();
    const service = await enabled({ baseUrl: `http://127.0.0.1:${port}`, token: 'ghp_x' });
    expect(await service.healthCheck()).toEqual({
      status: 'error',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('GitHubService as a GitHub App', () => {
  it('GIVEN the app credentials THEN the client gets an installation token through a JWT signed with the key', async () => {
    const github = await fake();
    const { appId, installationId, privateKey } = github.app;
    const service = await enabled({ baseUrl: github.url, appId, installationId, privateKey });
    expect((await service.healthCheck()).status).toBe('active');
    expect(github.issued).toHaveLength(1);
    const tokenRequest = github.requests.find((r) => r.url.endsWith('/access_tokens'));
    expect(tokenRequest?.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
  });

  it('GIVEN a key GitHub does not know, or a wrong installation THEN health says which', async () => {
    const github = await fake();
    const { appId, installationId } = github.app;
    const other = rsaKeyPair().privateKey;
    const wrongKey = await enabled({ baseUrl: github.url, appId, installationId, privateKey: other });
    expect(await wrongKey.healthCheck()).toEqual({
      status: 'error',
      message:
        "authentication failed: GitHub rejected the app's credentials (A JSON web token could not be decoded)",
    });
    const wrongInstallation = await enabled({
      baseUrl: github.url,
      appId,
      installationId: 1,
      privateKey: github.app.privateKey,
    });
    expect(await wrongInstallation.healthCheck()).toEqual({
      status: 'error',
      message: 'app installation 1 not found: check appId and installationId',
    });
  });

  it('GIVEN a private key that is not a key THEN enable refuses it in words', async () => {
    const service = configured({ appId: 1, installationId: 2, privateKey: 'not a key' });
    await expect(service.enable()).rejects.toThrowError(/^invalid private key: .+ \(give the app's PEM key/);
    expect(service.enabled).toBe(false);
  });
});

describe('GitHubService lifecycle', () => {
  it('GIVEN new settings THEN the bot’s client talks to the new server; rejected settings keep the old client', async () => {
    const one = await fake('bot-one');
    const two = await fake('bot-two');
    const service = await enabled({ baseUrl: one.url, token: one.token });
    const first = service.client;
    await service.updateConfig(
      checkConfig(GITHUB_CONFIG_SCHEMA, { baseUrl: two.url, token: two.token }, 'github').config,
    );
    expect((await service.client.rest.users.getAuthenticated()).data.login).toBe('bot-two');
    await expect(first.rest.users.getAuthenticated()).rejects.toThrowError(
      'request refused: the GitHub client is closed',
    );
    const current = service.client;
    await expect(
      service.updateConfig(
        checkConfig(GITHUB_CONFIG_SCHEMA, { baseUrl: one.url, token: 'ghp_wrong' }, 'github').config,
      ),
    ).rejects.toThrowError(
      'the new settings were not applied: authentication failed: bad credentials; the previous client is still in use',
    );
    expect(service.client).toBe(current);
    expect((await service.client.rest.users.getAuthenticated()).data.login).toBe('bot-two');
  });

  it('GIVEN disable while a request hangs THEN it is aborted, the client refused, and no socket or timer is left', async () => {
    const github = await fake();
    const sockets = activeResources('TCPSocketWrap');
    const service = await enabled({ baseUrl: github.url, token: github.token, timeoutMs: 30_000 });
    const client = service.client;
    await client.rest.users.getAuthenticated();
    github.mode = 'hang';
    const hanging = client.rest.users.getAuthenticated();
    await waitFor(() => github.requests.length >= 2);
    await service.disable();
    await expect(hanging).rejects.toThrowError('request aborted: the GitHub service was disabled');
    expect(() => service.client).toThrowError(/disabled or not configured/);
    expect(await service.healthCheck()).toEqual({ status: 'inactive', message: 'disabled' });
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });
});

describe('GitHubService in a ServiceRegistryManager', () => {
  let registry: TestRegistry | undefined;
  afterEach(async () => {
    await registry?.stop();
    registry = undefined;
  });

  it('GIVEN no settings THEN it waits as not configured; a token THEN it runs; a wrong token THEN it is refused and the client stays', async () => {
    const github = await fake();
    registry = await startTestRegistry([new GitHubService()]);
    const { manager } = registry;
    expect(manager.getServiceInfo('github')).toMatchObject({
      status: 'inactive',
      statusMessage: 'not configured: either token, or appId, privateKey and installationId, is required',
    });
    const actor = { actor: 'alice', adapter: 'test' };
    const result = await manager.updateConfig('github', { baseUrl: github.url, token: github.token }, actor);
    expect(result.applied).toBe('started');
    expect((await manager.checkHealth('github', { fresh: true })).status).toBe('active');
    const client = manager.getService<GitHubService>('github').client;

    const refused = manager.updateConfig('github', { token: 'ghp_wrong' }, actor);
    await expect(refused).rejects.toMatchObject({ code: 'SD_ERR_CONFIG_APPLY_FAILED' });
    await expect(refused).rejects.toThrowError(/authentication failed: bad credentials/);
    expect(manager.getService<GitHubService>('github').client).toBe(client);
    const view = JSON.stringify(await manager.getConfig('github'));
    expect(view).not.toContain(github.token);
    expect(view).not.toContain('ghp_wrong');
  });
});
