/**
 * The Wolfram|Alpha service: owns the {@link WolframAlphaClient} the bot uses, built from the registry's
 * configuration, and checks it spending as few queries of the monthly allowance as it can.
 */
import {
  describeError,
  type HealthCheckResult,
  inject,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
} from '@servicedeck/core';
import { ClientService, formatClock, HttpEndpointError } from '@servicedeck/plugin-kit';
import { WolframAlphaClient } from './client.js';
import { WOLFRAM_ALPHA_CONFIG_SCHEMA, type WolframAlphaConfig } from './config.js';
import { API_NAMES, acceptsAppId, WolframAlphaError } from './errors.js';
import { WOLFRAM_ALPHA_PLUGIN_VERSION } from './version.js';

/** Thirty minutes between scheduled checks: each one may cost a query of the monthly allowance. */
const CHECK_INTERVAL_MS = 30 * 60_000;

/** The input of check queries: the smallest one every API answers. */
const CHECK_INPUT = '1+1';

/**
 * Wolfram|Alpha for the bot: `client` asks the Short Answers, Spoken Results and Full Results APIs with the
 * configured app id. Configure it with at least `appId`; see {@link WolframAlphaConfig}.
 *
 * Health checks spend as little of the app id's allowance as the API allows: when the client received an
 * answer within the last check interval, the check reports it without asking anything; otherwise it asks
 * the configured API the cheapest question it has (`validatequery` for the Full Results API, `1+1`
 * otherwise).
 *
 * @example
 * ```ts
 * const wolfram = manager.getService<WolframAlphaService>('wolfram-alpha').client;
 * const { text } = await wolfram.shortAnswer('population of France');
 * ```
 */
@Service({
  id: 'wolfram-alpha',
  name: 'Wolfram|Alpha',
  description:
    'Answers questions with the Wolfram|Alpha Short Answers, Spoken Results and Full Results APIs.',
  type: 'wrapper',
  version: WOLFRAM_ALPHA_PLUGIN_VERSION,
  tags: ['api', 'knowledge', 'math'],
  configSchema: WOLFRAM_ALPHA_CONFIG_SCHEMA,
  healthCheck: { intervalMs: CHECK_INTERVAL_MS, timeoutMs: 15_000, failureThreshold: 2 },
})
export class WolframAlphaService extends ClientService<WolframAlphaConfig, WolframAlphaClient> {
  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  protected createClient(config: WolframAlphaConfig): WolframAlphaClient {
    const client = new WolframAlphaClient({
      appId: config.appId,
      api: config.api,
      baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs,
      ...(config.units === undefined ? {} : { units: config.units }),
    });
    this.logger.debug('client built', { api: config.api, origin: client.baseUrl.origin });
    return client;
  }

  protected async closeClient(client: WolframAlphaClient): Promise<void> {
    await client.close();
  }

  protected async checkClient(
    client: WolframAlphaClient,
    config: WolframAlphaConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const name = API_NAMES[config.api];
    const recent = client.lastOutcome;
    const windowMs = this.getMetadata().healthCheck.intervalMs;
    if (recent?.accepted && Date.now() - recent.at.getTime() < windowMs) {
      return {
        status: 'active',
        message: `app id accepted by the ${API_NAMES[recent.api]} at ${formatClock(recent.at)} (its last answer; no query spent on this check)`,
        details: { api: recent.api, probe: 'none', answeredAt: recent.at.toISOString() },
      };
    }
    const probe = config.api === 'full-results' ? 'validatequery' : config.api;
    try {
      const { latencyMs } =
        config.api === 'full-results'
          ? await client.validateQuery(CHECK_INPUT, { signal })
          : config.api === 'spoken-results'
            ? await client.spokenResult(CHECK_INPUT, { signal })
            : await client.shortAnswer(CHECK_INPUT, { signal });
      const cost = probe === 'validatequery' ? 'input parsed, nothing computed' : `asked ${CHECK_INPUT}`;
      return {
        status: 'active',
        message: `app id accepted by the ${name} in ${latencyMs} ms (${cost})`,
        details: { api: config.api, probe, latencyMs },
      };
    } catch (error) {
      if (error instanceof WolframAlphaError && acceptsAppId(error)) {
        return {
          status: 'active',
          message: `app id accepted by the ${name} (${error.message})`,
          details: { api: config.api, probe, statusCode: error.status },
        };
      }
      if (error instanceof WolframAlphaError) {
        const hint =
          error.kind === 'invalid-app-id'
            ? `; check appId, and that the app id was issued for the ${name} (the api setting)`
            : '';
        return {
          status: 'error',
          message: `${error.message}${hint}`,
          details: { api: config.api, probe, reason: error.kind, statusCode: error.status },
        };
      }
      if (error instanceof HttpEndpointError && !(signal.aborted && error.kind === 'aborted')) {
        return {
          status: 'error',
          message: error.message,
          details: {
            api: config.api,
            probe,
            reason: error.kind,
            ...(error.code ? { code: error.code } : {}),
          },
        };
      }
      throw error;
    }
  }

  /** Words for what a check threw: the health-check timeout in milliseconds, anything else as it reads. */
  protected override describeFailure(error: unknown): string {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return `no answer within ${this.getMetadata().healthCheck.timeoutMs} ms (the health check timed out)`;
    }
    return describeError(error);
  }
}
