/**
 * The processes running a manager against the database: each registers itself and heartbeats, so status
 * can be shown per instance, and instances that stopped heartbeating are shown as gone.
 */
import type { JsonObject } from '../types.js';
import type { Database } from './database.js';
import { jsonColumn } from './json-column.js';

/** A process running a manager, as others see it. */
export interface InstanceInfo {
  readonly id: string;
  readonly hostname: string;
  readonly pid: number;
  /** discord.js shard ids this process runs, if any. */
  readonly shardIds: readonly number[];
  /** servicedeck version it runs. */
  readonly version: string | null;
  readonly startedAt: Date;
  readonly lastSeenAt: Date;
  /** The last change-log revision it applied. */
  readonly lastRevision: number;
  /** `running` while it heartbeats; `gone` once it stopped or missed three heartbeats. */
  readonly state: 'running' | 'gone';
  /** Whether it is the process asking. */
  readonly self: boolean;
}

/** Reads and writes `servicedeck_instance`. */
export class InstanceStore {
  public constructor(
    private readonly db: Database,
    private readonly instanceId: string,
  ) {}

  /** Registers (or re-registers) this process. */
  public async register(details: {
    hostname: string;
    pid: number;
    shardIds: readonly number[];
    version: string;
    lastRevision: number;
  }): Promise<void> {
    const now = new Date();
    await this.db.repos.instances.upsert({
      id: this.instanceId,
      hostname: details.hostname,
      pid: details.pid,
      startedAt: now,
      lastSeenAt: now,
      lastRevision: details.lastRevision,
      details: { shardIds: [...details.shardIds], version: details.version, node: process.version },
    });
  }

  /** Records that this process is alive (and the revision it reached). */
  public async heartbeat(lastRevision: number): Promise<void> {
    await this.db.repos.instances.update(
      { lastSeenAt: new Date(), lastRevision },
      { where: { id: this.instanceId } },
    );
  }

  /** Records that this process stopped. */
  public async stopped(): Promise<void> {
    const row = await this.db.repos.instances.findByPk(this.instanceId);
    if (!row) return;
    const details = jsonColumn<JsonObject>(row.details);
    await row.update({
      lastSeenAt: new Date(),
      details: { ...details, stoppedAt: new Date().toISOString() },
    });
  }

  /** Every registered process, newest first; one that missed `3 × heartbeatMs` or stopped is gone. */
  public async list(heartbeatMs: number, now: Date = new Date()): Promise<InstanceInfo[]> {
    const rows = await this.db.repos.instances.findAll({ order: [['startedAt', 'DESC']] });
    return rows.map((row) => {
      const details = jsonColumn<{
        shardIds?: number[];
        version?: string;
        stoppedAt?: string;
      }>(row.details);
      const lastSeenAt = new Date(row.lastSeenAt);
      const silent = now.getTime() - lastSeenAt.getTime() > 3 * heartbeatMs;
      return {
        id: row.id,
        hostname: row.hostname,
        pid: row.pid,
        shardIds: details.shardIds ?? [],
        version: details.version ?? null,
        startedAt: new Date(row.startedAt),
        lastSeenAt,
        lastRevision: row.lastRevision,
        state: details.stoppedAt || silent ? 'gone' : 'running',
        self: row.id === this.instanceId,
      };
    });
  }
}
