/**
 * The audit log: every management action, who did it, through which adapter, on which service, with what
 * result and details (secrets already redacted by the caller).
 */
import { Op, type Transaction, type WhereOptions } from 'sequelize';
import type { JsonObject } from '../types.js';
import type { Database } from './database.js';
import { jsonColumn } from './json-column.js';

/** Who acts, and through what. */
export interface Actor {
  /** A Discord user id, an OS user name, an API token name… */
  readonly actor: string;
  /** `discord`, `cli`, `web`, `core`… */
  readonly adapter: string;
  /** Where the actor acted from, when the adapter knows: a Discord guild (`guild:<id>`), a host… */
  readonly origin?: string;
}

/** The actor fields of options that extend {@link Actor}, without the rest. */
export function actorOf(options: Actor): Actor {
  return options.origin === undefined
    ? { actor: options.actor, adapter: options.adapter }
    : { actor: options.actor, adapter: options.adapter, origin: options.origin };
}

/** The outcome of an audited action. */
export type AuditResult = 'ok' | 'failed' | 'denied';

/** One audit entry. */
export interface AuditEntry extends Omit<Actor, 'origin'> {
  readonly id: number;
  /** Where the actor acted from, or null when the adapter did not say. */
  readonly origin: string | null;
  readonly action: string;
  readonly serviceId: string | null;
  readonly result: AuditResult;
  readonly details: JsonObject;
  readonly instanceId: string | null;
  readonly at: Date;
}

/** Filters of {@link AuditStore.list}. */
export interface AuditFilter {
  readonly serviceId?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly result?: AuditResult;
  /** Only entries at or after this time. */
  readonly since?: Date;
  /** Only entries recorded after the entry with this id (to follow the log). */
  readonly afterId?: number;
  /** At most this many, newest first (default 50). */
  readonly limit?: number;
}

/** Writes and reads `audit_log`. */
export class AuditStore {
  public constructor(
    private readonly db: Database,
    private readonly instanceId: string,
  ) {}

  /** Records an action. */
  public async record(
    entry: Actor & { action: string; serviceId?: string | null; result: AuditResult; details?: JsonObject },
    transaction?: Transaction,
  ): Promise<void> {
    await this.db.repos.audit.create(
      {
        actor: entry.actor,
        adapter: entry.adapter,
        action: entry.action,
        serviceId: entry.serviceId ?? null,
        result: entry.result,
        details:
          entry.origin === undefined ? (entry.details ?? {}) : { ...entry.details, origin: entry.origin },
        instanceId: this.instanceId,
      },
      { transaction },
    );
  }

  /** Entries matching the filter, newest first. */
  public async list(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    const where: WhereOptions = {
      ...(filter.serviceId === undefined ? {} : { serviceId: filter.serviceId }),
      ...(filter.actor === undefined ? {} : { actor: filter.actor }),
      ...(filter.action === undefined ? {} : { action: filter.action }),
      ...(filter.result === undefined ? {} : { result: filter.result }),
      ...(filter.since === undefined ? {} : { createdAt: { [Op.gte]: filter.since } }),
      ...(filter.afterId === undefined ? {} : { id: { [Op.gt]: filter.afterId } }),
    };
    const rows = await this.db.repos.audit.findAll({
      where,
      order: [
        ['createdAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: filter.limit ?? 50,
    });
    return rows.map((row) => {
      const { origin, ...details } = jsonColumn<JsonObject>(row.details);
      return {
        id: row.id,
        actor: row.actor,
        adapter: row.adapter,
        origin: typeof origin === 'string' ? origin : null,
        action: row.action,
        serviceId: row.serviceId,
        result: row.result as AuditResult,
        details,
        instanceId: row.instanceId,
        at: new Date(row.createdAt),
      };
    });
  }
}
