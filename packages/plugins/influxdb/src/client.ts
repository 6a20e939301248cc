/**
 * What the InfluxDB service lends the bot: the official client over connections of its own, one write API
 * for the configured bucket (flushed and closed with the client) and query APIs.
 */
import http from 'node:http';
import https from 'node:https';
import { InfluxDB, type QueryApi, type WriteApi } from '@influxdata/influxdb-client';
import type { Logger } from '@servicedeck/core';
import type { InfluxDbConfig } from './config.js';

/** Milliseconds `close()` waits for buffered points to be written. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * The client of one configuration. Fetch it from the service for each use: a configuration change replaces
 * it, and the old one is flushed and closed.
 */
export class InfluxDbClient {
  /** The official client (`@influxdata/influxdb-client`), for any API it offers. */
  public readonly influx: InfluxDB;
  private writer: WriteApi | undefined;
  private readonly agent: http.Agent;
  private closed = false;

  /**
   * @param config - the validated configuration.
   * @param logger - where failed writes are reported.
   */
  public constructor(
    public readonly config: InfluxDbConfig,
    private readonly logger: Logger,
  ) {
    const secure = new URL(config.url).protocol === 'https:';
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    this.influx = new InfluxDB({
      url: config.url,
      token: config.token,
      timeout: config.timeoutMs,
      transportOptions: { agent: this.agent },
    });
  }

  /**
   * The write API of the configured org and bucket, with the configured precision and default tags. The
   * same one is returned each time; points are buffered and flushed every `flushIntervalMs`, on `flush()`,
   * and when the client closes. A failed write is logged and not retried.
   *
   * @throws Error when the client is closed.
   */
  public writeApi(): WriteApi {
    if (this.closed) throw new Error('the InfluxDB client is closed: fetch the current one from the service');
    if (!this.writer) {
      const { org, bucket, precision, defaultTags, flushIntervalMs } = this.config;
      this.writer = this.influx.getWriteApi(org, bucket, precision, {
        flushInterval: flushIntervalMs,
        maxRetries: 0,
        writeFailed: (error, lines) => {
          this.logger.warn('points not written', { reason: error.message, points: lines.length });
        },
        ...(defaultTags ? { defaultTags: { ...defaultTags } } : {}),
      });
    }
    return this.writer;
  }

  /** A query API of the configured org (or another one). */
  public queryApi(org: string = this.config.org): QueryApi {
    return this.influx.getQueryApi(org);
  }

  /** Writes the buffered points, waits for them (at most 5 s), and closes every connection. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const writer = this.writer;
    if (writer) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        writer.close().catch((error: unknown) => {
          this.logger.warn('points lost on close', {
            reason: error instanceof Error ? error.message : String(error),
          });
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        }),
      ]);
      clearTimeout(timer);
    }
    this.agent.destroy();
  }
}
