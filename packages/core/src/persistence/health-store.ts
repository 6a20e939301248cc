/**
 * Health history in the database: results are buffered and written in batches, kept with retention by
 * age and by count per service, and cheap to query for the last N results and for uptime over a window.
 */
import { Op, QueryTypes } from 'sequelize';
import type { HealthCheckRecord } from '../health/types.js';
import { type Logger, silentLogger } from '../logger.js';
import type { ServiceStatus } from '../types.js';
import type { Database } from './database.js';

/** How long and how much health history is kept. */
export interface HealthRetention {
  /** Results older than this are deleted (default 7 days). */
  readonly maxAgeMs: number;
  /** At most this many results are kept per service (default 1 000). */
  readonly maxPerService: number;
}

/** The default retention. */
export const DEFAULT_HEALTH_RETENTION: HealthRetention = Object.freeze({
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  maxPerService: 1_000,
});

/** Uptime of a service over a window. */
export interface Uptime {
  /** Checks in the window. */
  readonly checks: number;
  /** Checks that found the service `active`. */
  readonly active: number;
  /** `active / checks`, or null without checks. */
  readonly ratio: number | null;
}

/** Options of a {@link HealthHistoryStore}. */
export interface HealthHistoryOptions {
  readonly retention?: Partial<HealthRetention>;
  /** Milliseconds between batch writes (default 1 000). */
  readonly flushIntervalMs?: number;
  /** Write as soon as this many results are buffered (default 500). */
  readonly maxBuffered?: number;
  readonly logger?: Logger;
}

/** Reads and writes the `health_history` table. */
export class HealthHistoryStore {
  private buffer: HealthCheckRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  public readonly retention: HealthRetention;
  private readonly logger: Logger;

  public constructor(
    private readonly db: Database,
    private readonly options: HealthHistoryOptions = {},
  ) {
    this.retention = { ...DEFAULT_HEALTH_RETENTION, ...options.retention };
    this.logger = options.logger ?? silentLogger;
  }

  /** Buffers a result for the next batch write. */
  public add(record: HealthCheckRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= (this.options.maxBuffered ?? 500)) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs ?? 1_000);
      this.timer.unref();
    }
  }

  /**
   * Writes every buffered result in one transaction, and stamps `last_health_check` of the services
   * checked. Flushes are serialized; a failed write is logged and its results dropped (history is
   * best-effort and must never stall checks).
   */
  public flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: readonly HealthCheckRecord[]): Promise<void> {
    const lastAt = new Map<string, Date>();
    for (const r of batch) lastAt.set(r.serviceId, r.checkedAt);
    try {
      await this.db.transaction(async (transaction) => {
        await this.db.repos.health.bulkCreate(
          batch.map((r) => ({
            serviceId: r.serviceId,
            instanceId: r.instanceId,
            status: r.status,
            latencyMs: r.latencyMs,
            message: r.message,
            cause: r.cause,
            checkedAt: r.checkedAt,
          })),
          { transaction },
        );
        // One statement per chunk stamps each service with its own latest check.
        const entries = [...lastAt.entries()];
        for (let start = 0; start < entries.length; start += 200) {
          const chunk = entries.slice(start, start + 200);
          const replacements: Record<string, unknown> = {};
          const cases = chunk.map(([id, at], i) => {
            replacements[`id${i}`] = id;
            replacements[`at${i}`] = at;
            return `WHEN :id${i} THEN ${this.db.dialect === 'postgres' ? `CAST(:at${i} AS TIMESTAMPTZ)` : `:at${i}`}`;
          });
          await this.db.sequelize.query(
            `UPDATE service_registry SET last_health_check = CASE id ${cases.join(' ')} END
              WHERE id IN (${chunk.map((_, i) => `:id${i}`).join(', ')})`,
            { replacements, transaction },
          );
        }
      });
    } catch (error) {
      this.logger.warn('health history not written', { results: batch.length, error });
    }
  }

  /** The last `limit` results of a service, newest first. */
  public async recent(serviceId: string, limit = 20): Promise<HealthCheckRecord[]> {
    await this.flush();
    const rows = await this.db.repos.health.findAll({
      where: { serviceId },
      order: [
        ['checkedAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit,
    });
    return rows.map((row) => ({
      serviceId: row.serviceId,
      instanceId: row.instanceId,
      status: row.status,
      latencyMs: row.latencyMs,
      message: row.message,
      cause: row.cause,
      checkedAt: new Date(row.checkedAt),
    }));
  }

  /** How many checks found the service `active` since `since`. */
  public async uptime(serviceId: string, since: Date): Promise<Uptime> {
    await this.flush();
    const [row] = await this.db.sequelize.query<{ checks: number | string; active: number | string | null }>(
      `SELECT COUNT(*) AS checks, SUM(CASE WHEN status = :active THEN 1 ELSE 0 END) AS active
         FROM health_history WHERE service_id = :serviceId AND checked_at >= :since`,
      {
        replacements: { serviceId, since, active: 'active' satisfies ServiceStatus },
        type: QueryTypes.SELECT,
      },
    );
    const checks = Number(row?.checks ?? 0);
    const active = Number(row?.active ?? 0);
    return { checks, active, ratio: checks === 0 ? null : active / checks };
  }

  /**
   * Deletes results older than the maximum age, and beyond the maximum count of each service.
   *
   * @returns how many results were deleted.
   */
  public async prune(now: Date = new Date()): Promise<number> {
    await this.flush();
    const { health } = this.db.repos;
    let deleted = await health.destroy({
      where: { checkedAt: { [Op.lt]: new Date(now.getTime() - this.retention.maxAgeMs) } },
    });
    const over = await this.db.sequelize.query<{ service_id: string }>(
      'SELECT service_id FROM health_history GROUP BY service_id HAVING COUNT(*) > :max',
      { replacements: { max: this.retention.maxPerService }, type: QueryTypes.SELECT },
    );
    for (const { service_id: serviceId } of over) {
      // The newest result beyond the count to keep: it and everything older go.
      const cutoff = await health.findOne({
        where: { serviceId },
        order: [
          ['checkedAt', 'DESC'],
          ['id', 'DESC'],
        ],
        offset: this.retention.maxPerService,
      });
      if (!cutoff) continue;
      deleted += await health.destroy({
        where: {
          serviceId,
          [Op.or]: [
            { checkedAt: { [Op.lt]: cutoff.checkedAt } },
            { checkedAt: cutoff.checkedAt, id: { [Op.lte]: cutoff.id } },
          ],
        },
      });
    }
    return deleted;
  }

  /** Stops the flush timer after writing what is buffered. */
  public async close(): Promise<void> {
    await this.flush();
  }
}
