/**
 * The Sentry service: the official Node SDK's client, built from the configuration and installed as the
 * process's current Sentry client, so `Sentry.captureException()` anywhere in the bot reports to the
 * configured project. Checked by sending the ingest endpoint an envelope that creates no issue.
 */

import {
  dedupeIntegration,
  defaultStackParser,
  functionToStringIntegration,
  getClient,
  getCurrentScope,
  inboundFiltersIntegration,
  linkedErrorsIntegration,
  makeNodeTransport,
  NodeClient,
} from '@sentry/node';
import type { HealthCheckResult, ServiceContext } from '@servicedeck/core';
import { inject, SERVICE_CONTEXT, Service } from '@servicedeck/core';
import { ClientService, describeHttpStatus, HttpClient } from '@servicedeck/plugin-kit';
import { type ParsedDsn, parseDsn, SENTRY_CONFIG_SCHEMA, type SentryConfig } from './config.js';
import { SENTRY_PLUGIN_VERSION } from './version.js';

/** Milliseconds `disable()` gives the SDK to send what it still holds. */
const CLOSE_TIMEOUT_MS = 2_000;

/** What the service keeps with each client. */
interface ClientState {
  readonly dsn: ParsedDsn;
  /** Health requests: the ingest endpoint and `/_health/`, closable with the client. */
  readonly http: HttpClient;
}

/** An envelope with one empty client report: accepted by the ingest endpoint, and it creates no issue. */
function healthEnvelope(dsn: string): string {
  const header = JSON.stringify({ sent_at: new Date().toISOString(), dsn });
  const item = JSON.stringify({ timestamp: Date.now() / 1000, discarded_events: [] });
  return `${header}\n${JSON.stringify({ type: 'client_report' })}\n${item}\n`;
}

/**
 * Installs a Sentry client for the bot. Configure it with at least `dsn`.
 *
 * @example
 * ```ts
 * import * as Sentry from '@sentry/node';
 * Sentry.captureException(error); // goes to the configured project while the service is enabled
 * manager.getService<SentryService>('sentry').client.getOptions().environment;
 * ```
 */
@Service({
  id: 'sentry',
  name: 'Sentry',
  description: "Error reporting with Sentry's official Node SDK, configured from the registry.",
  type: 'external',
  version: SENTRY_PLUGIN_VERSION,
  tags: ['sentry', 'monitoring'],
  configSchema: SENTRY_CONFIG_SCHEMA,
  healthCheck: { intervalMs: 60_000, timeoutMs: 10_000 },
})
export class SentryService extends ClientService<SentryConfig, NodeClient> {
  private readonly states = new WeakMap<NodeClient, ClientState>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Builds a client (not yet current). An invalid DSN is refused in words. */
  protected createClient(config: SentryConfig): NodeClient {
    const dsn = parseDsn(config.dsn);
    const client = new NodeClient({
      dsn: config.dsn,
      ...(config.environment === undefined ? {} : { environment: config.environment }),
      ...(config.release === undefined ? {} : { release: config.release }),
      sampleRate: config.sampleRate,
      tracesSampleRate: config.tracesSampleRate,
      debug: config.debug,
      transport: makeNodeTransport,
      stackParser: defaultStackParser,
      // Only integrations that install nothing process-wide, so a disabled service leaves no handler.
      integrations: [
        dedupeIntegration(),
        inboundFiltersIntegration(),
        linkedErrorsIntegration(),
        functionToStringIntegration(),
      ],
      sendClientReports: false,
    });
    const http = new HttpClient({ baseUrl: dsn.base, timeoutMs: config.timeoutMs });
    this.states.set(client, { dsn, http });
    return client;
  }

  /** Makes the client the process's current Sentry client. */
  protected override activateClient(client: NodeClient): void {
    getCurrentScope().setClient(client);
    client.init();
  }

  /** Sends what the client holds (within 2 s), closes it, and uninstalls it if it is still current. */
  protected async closeClient(client: NodeClient): Promise<void> {
    if (getClient() === client) getCurrentScope().setClient(undefined);
    await this.states.get(client)?.http.close('request aborted: the Sentry service was disabled');
    await client.close(CLOSE_TIMEOUT_MS);
  }

  /**
   * Sends an envelope with an empty client report to the project's ingest endpoint (`200` is healthy),
   * and with `selfHostedHealth`, requests `/_health/`.
   */
  protected async checkClient(
    client: NodeClient,
    config: SentryConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const state = this.states.get(client) as ClientState;
    const { dsn, http } = state;
    const response = await http.request(`/api/${dsn.projectId}/envelope/`, {
      method: 'POST',
      query: { sentry_key: dsn.publicKey, sentry_version: 7 },
      headers: { 'content-type': 'application/x-sentry-envelope' },
      body: healthEnvelope(config.dsn),
      signal,
    });
    const details: Record<string, number | string> = {
      statusCode: response.status,
      latencyMs: response.latencyMs,
    };
    if (response.status === 401 || response.status === 403) {
      return {
        status: 'error',
        message: `authentication failed: ${dsn.host} rejected the DSN's public key (${response.status})`,
        details,
      };
    }
    if (response.status === 429) {
      const wait = response.headers.get('retry-after');
      return {
        status: 'error',
        message: `rate limited by ${dsn.host}${wait ? `: retry after ${wait} s` : ''}`,
        details,
      };
    }
    if (response.status === 404) {
      return {
        status: 'error',
        message: `project ${dsn.projectId} not found at ${dsn.host}: check the DSN`,
        details,
      };
    }
    if (response.status !== 200) {
      return {
        status: 'error',
        message: `ingest endpoint: ${describeHttpStatus(response.status, response.statusText)}`,
        details,
      };
    }
    if (config.selfHostedHealth) {
      const health = await http.request('/_health/', { signal, headers: { accept: 'text/plain' } });
      const body = health.text().trim();
      if (health.status !== 200 || body !== 'ok') {
        return {
          status: 'error',
          message: `self-hosted health: ${health.status === 200 ? `answered ${JSON.stringify(body.slice(0, 40))}` : describeHttpStatus(health.status, health.statusText)}`,
          details: { ...details, healthStatusCode: health.status },
        };
      }
    }
    return {
      status: 'active',
      message: `envelope accepted by ${dsn.host} in ${response.latencyMs} ms${config.selfHostedHealth ? '; self-hosted health ok' : ''}`,
      details,
    };
  }
}
