/**
 * The InfluxDB 2 service: the official client for the bot, checked with `/ping` and a write permission
 * check that writes nothing (an empty write, which InfluxDB 2.1 and later accept with 204).
 */
import type { HealthCheckResult, ServiceContext } from '@servicedeck/core';
import { inject, SERVICE_CONTEXT, Service } from '@servicedeck/core';
import {
  ClientService,
  describeHttpStatus,
  HttpClient,
  type HttpClientResponse,
} from '@servicedeck/plugin-kit';
import { InfluxDbClient } from './client.js';
import { INFLUXDB_CONFIG_SCHEMA, type InfluxDbConfig } from './config.js';
import { INFLUXDB_PLUGIN_VERSION } from './version.js';

/** InfluxDB's error body: `{"code":"unauthorized","message":"unauthorized access"}`. */
function influxMessage(response: HttpClientResponse): string | undefined {
  try {
    const body = response.json<{ message?: unknown }>();
    return typeof body.message === 'string' ? body.message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lends the bot an InfluxDB 2 client for the configured org and bucket.
 *
 * @example
 * ```ts
 * import { Point } from '@influxdata/influxdb-client';
 * const influx = manager.getService<InfluxDbService>('influxdb').client;
 * influx.writeApi().writePoint(new Point('commands').tag('name', 'ping').intField('count', 1));
 * ```
 */
@Service({
  id: 'influxdb',
  name: 'InfluxDB',
  description: 'Time series in InfluxDB 2: a write API for the configured bucket, and queries.',
  type: 'external',
  version: INFLUXDB_PLUGIN_VERSION,
  tags: ['influxdb', 'metrics', 'database'],
  configSchema: INFLUXDB_CONFIG_SCHEMA,
})
export class InfluxDbService extends ClientService<InfluxDbConfig, InfluxDbClient> {
  private readonly probes = new WeakMap<InfluxDbClient, HttpClient>();

  /**
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(@inject(SERVICE_CONTEXT) context?: ServiceContext) {
    super(context);
  }

  /** Builds the client; it connects on first use, so a server that is down does not stop the service. */
  protected createClient(config: InfluxDbConfig): InfluxDbClient {
    const client = new InfluxDbClient(config, this.logger);
    this.probes.set(
      client,
      new HttpClient({
        baseUrl: config.url,
        headers: { authorization: `Token ${config.token}` },
        timeoutMs: config.timeoutMs,
      }),
    );
    return client;
  }

  /** Writes what is buffered, then closes the client's connections and the health requests'. */
  protected async closeClient(client: InfluxDbClient): Promise<void> {
    await this.probes.get(client)?.close('request aborted: the InfluxDB service was disabled');
    await client.close();
  }

  /** `GET /ping`, then an empty write to the bucket: the server is up, and the token may write there. */
  protected async checkClient(
    client: InfluxDbClient,
    config: InfluxDbConfig,
    signal: AbortSignal,
  ): Promise<HealthCheckResult> {
    const http = this.probes.get(client) as HttpClient;
    const ping = await http.request('/ping', { signal });
    if (ping.status !== 204 && ping.status !== 200) {
      return { status: 'error', message: `ping: ${describeHttpStatus(ping.status, ping.statusText)}` };
    }
    const version = ping.headers.get('x-influxdb-version');
    const write = await http.request('/api/v2/write', {
      method: 'POST',
      query: { org: config.org, bucket: config.bucket, precision: config.precision },
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      signal,
    });
    const details = {
      ...(version ? { version } : {}),
      pingLatencyMs: ping.latencyMs,
      writeStatusCode: write.status,
    };
    const said = influxMessage(write);
    if (write.status === 401) {
      return { status: 'error', message: 'authentication failed: invalid token', details };
    }
    if (write.status === 403) {
      return { status: 'error', message: `no write permission on bucket "${config.bucket}"`, details };
    }
    if (write.status === 404) {
      return {
        status: 'error',
        message: said?.startsWith('organization')
          ? `organization "${config.org}" not found`
          : `bucket "${config.bucket}" not found in org "${config.org}"`,
        details,
      };
    }
    if (write.status === 400 && said?.includes('writing requires points')) {
      return {
        status: 'error',
        message: `this server (InfluxDB ${version ?? '?'}) cannot check write permission without writing: InfluxDB 2.1 or later is needed`,
        details,
      };
    }
    if (write.status !== 204) {
      return {
        status: 'error',
        message: `write check: ${describeHttpStatus(write.status, write.statusText)}${said ? `: ${said}` : ''}`,
        details,
      };
    }
    return {
      status: 'active',
      message: `InfluxDB ${version ?? '(version unknown)'}; ping ${ping.latencyMs} ms; may write to "${config.bucket}"`,
      details,
    };
  }
}
