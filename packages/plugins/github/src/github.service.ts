/**
 * The GitHub service: an Octokit client for the bot, authenticated with a token or as a GitHub App
 * installation, checked with `GET /rate_limit` (which spends no quota).
 */
import { createPrivateKey } from 'node:crypto';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { HealthCheckResult, ServiceContext } from '@servicedeck/core';
import { inject, SERVICE_CONTEXT, Service } from '@servicedeck/core';
import { BoundedFetch, ClientService, formatClock } from '@servicedeck/plugin-kit';
import { GITHUB_CONFIG_SCHEMA, type GitHubConfig } from './config.js';
import { GITHUB_PLUGIN_VERSION } from './version.js';
import { describeGitHubError, describeQuota, type RateLimit } from './words.js';

/** What GitHub answers on `GET /rate_limit`. */
interface RateLimitAnswer {
  readonly resources: { readonly core: RateLimit };
}

/**
 * Lends the bot an Octokit client (`@octokit/rest`) built from the configuration. Give it `token`, or the
 * app credentials `appId`, `privateKey` and `installationId`; `baseUrl` points it at GitHub Enterprise.
 *
 * @example
 * ```ts
 * const github = manager.getService<GitHubService>('github');
 * const { data } = await github.client.rest.issues.listForRepo({ owner: 'acme', repo: 'bot' });
 * ```
 */
@Service({
  id: 'github',
  name: 'GitHub',
  description: 'The GitHub REST API through Octokit, with a token or as a GitHub App installation.',
  type: 'external',
  version: GITHUB_PLUGIN_VERSION,
  tags: ['github', 'api'],
  configSchema: GITHUB_CONFIG_SCHEMA,
  healthCheck: { intervalMs: 60_000, timeoutMs: 10_000 },
})
export class GitHubService extends ClientService<GitHubConfig, Octokit> {
  private readonly fetches = new WeakMap<Octokit, BoundedFetch>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Builds the client; a private key that is not a valid PEM key is refused here, in words. */
  protected createClient(config: GitHubConfig): Octokit {
    if (config.token !== undefined && config.appId !== undefined) {
      throw new Error('give either a token or app credentials (appId, privateKey, installationId), not both');
    }
    if (config.privateKey !== undefined) {
      try {
        createPrivateKey(config.privateKey);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`invalid private key: ${reason} (give the app's PEM key, BEGIN … PRIVATE KEY)`);
      }
    }
    const fetch = new BoundedFetch(config.timeoutMs, 'GitHub client');
    const log = {
      debug: (message: string) => this.logger.debug(message),
      info: (message: string) => this.logger.info(message),
      warn: (message: string) => this.logger.warn(message),
      error: (message: string) => this.logger.error(message),
    };
    const common = {
      baseUrl: config.baseUrl.replace(/\/+$/, ''),
      userAgent: `servicedeck-plugin-github/${GITHUB_PLUGIN_VERSION}`,
      request: { fetch: fetch.fetch },
      log,
    };
    const octokit =
      config.token !== undefined
        ? new Octokit({ ...common, auth: config.token })
        : new Octokit({
            ...common,
            authStrategy: createAppAuth,
            auth: {
              appId: config.appId as number,
              privateKey: config.privateKey as string,
              installationId: config.installationId as number,
            },
          });
    this.fetches.set(octokit, fetch);
    return octokit;
  }

  /** Aborts the client's requests in flight and closes its connections. */
  protected async closeClient(client: Octokit): Promise<void> {
    await this.fetches.get(client)?.close('request aborted: the GitHub service was disabled');
  }

  /**
   * `GET /rate_limit`: active with the quota left (a warning below `lowQuotaPercent`), error when it is
   * exhausted or the request fails.
   */
  protected async checkClient(
    client: Octokit,
    config: GitHubConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const started = performance.now();
    const { data } = await client.request('GET /rate_limit', { request: { signal } });
    const latencyMs = Math.round(performance.now() - started);
    const core = (data as unknown as RateLimitAnswer).resources.core;
    const details = {
      limit: core.limit,
      remaining: core.remaining,
      used: core.used,
      resetsAt: new Date(core.reset * 1000).toISOString(),
      latencyMs,
    };
    if (core.remaining <= 0) {
      return {
        status: 'error',
        message: `rate limit exhausted (${core.remaining}/${core.limit}), resets ${formatClock(new Date(core.reset * 1000))}`,
        details,
      };
    }
    const low = core.limit > 0 && (core.remaining / core.limit) * 100 < config.lowQuotaPercent;
    return {
      status: 'active',
      message: `${low ? 'low quota: ' : ''}rate limit ${describeQuota(core)}`,
      details,
    };
  }

  /** GitHub's failures in words: bad credentials, exhausted quota, network failures. */
  protected override describeFailure(error: unknown): string {
    return describeGitHubError(error);
  }

  /**
   * Words for an error the bot's own Octokit call threw ("rate limit exhausted (0/5000), resets 14:05",
   * "authentication failed: bad credentials", "connection refused by …"), for its logs and replies.
   */
  public describeGitHubFailure(error: unknown): string {
    return describeGitHubError(error);
  }
}
