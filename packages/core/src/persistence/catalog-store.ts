/**
 * The catalog in the database: discovered services are upserted on every start, keeping their persisted
 * `enabled` flag and configuration; services no longer discovered are kept and marked missing.
 */
import { Op, type Transaction } from 'sequelize';
import { describeSource, type ServiceDefinition } from '../definition.js';
import type { JsonObject, JsonValue, ServiceMetadata, ServiceStatus, ServiceType } from '../types.js';
import { type ChangeKind, latestRevision, lockChanges, recordChange } from './changes.js';
import type { Database } from './database.js';
import type { ServiceRegistry } from './models/index.js';

/** A catalog row as the rest of core sees it. */
export interface CatalogEntry {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly type: ServiceType;
  readonly version: string | null;
  readonly enabled: boolean;
  readonly status: ServiceStatus;
  readonly statusMessage: string | null;
  readonly missing: boolean;
  readonly source: string | null;
  readonly dependencies: readonly string[];
  readonly tags: readonly string[];
  readonly lastHealthCheck: Date | null;
  readonly configVersion: number;
  readonly revision: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a catalog sync changed. */
export interface CatalogSyncResult {
  readonly entries: CatalogEntry[];
  readonly added: string[];
  readonly updated: string[];
  readonly missing: string[];
  /** The newest change-log revision when the sync committed. */
  readonly revision: number;
}

function storedMetadata(metadata: ServiceMetadata): JsonObject {
  return {
    dependencies: [...metadata.dependencies],
    tags: [...metadata.tags],
    healthCheck: { ...metadata.healthCheck },
    liveConfig: metadata.liveConfig,
    enabledByDefault: metadata.enabledByDefault,
  };
}

/** The columns of a service's row that come from its definition. */
function catalogValues({ metadata, source }: Pick<ServiceDefinition, 'metadata' | 'source'>) {
  return {
    name: metadata.name,
    description: metadata.description,
    serviceType: metadata.type,
    version: metadata.version,
    metadata: storedMetadata(metadata),
    configSchema: (metadata.configSchema ?? null) as JsonObject | null,
    healthCheckEndpoint: 'healthCheck',
    source: describeSource(source),
    missing: false,
  };
}

function toEntry(row: ServiceRegistry): CatalogEntry {
  const metadata = (row.metadata ?? {}) as { dependencies?: string[]; tags?: string[] };
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    type: row.serviceType,
    version: row.version,
    enabled: Boolean(row.enabled),
    status: row.status,
    statusMessage: row.statusMessage,
    missing: Boolean(row.missing),
    source: row.source,
    dependencies: metadata.dependencies ?? [],
    tags: metadata.tags ?? [],
    lastHealthCheck: row.lastHealthCheck,
    configVersion: row.configVersion,
    revision: row.revision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Stable JSON for change detection (key order independent). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Reads and writes the `service_registry` and `service_configuration` tables. */
export class CatalogStore {
  public constructor(
    private readonly db: Database,
    private readonly instanceId: string,
  ) {}

  /** Records a change of desired state and returns its revision. */
  private recordChange(kind: ChangeKind, entityId: string, transaction: Transaction): Promise<number> {
    return recordChange(this.db, kind, entityId, this.instanceId, transaction);
  }

  /**
   * Upserts the discovered services in one transaction. New services start with their
   * `enabledByDefault`; known ones keep `enabled` and configuration; undiscovered ones are marked missing.
   */
  public async sync(definitions: readonly ServiceDefinition[]): Promise<CatalogSyncResult> {
    const { registry } = this.db.repos;
    return this.db.transaction(async (transaction) => {
      // Two processes starting at once on an empty database must not both insert the same services.
      await lockChanges(this.db, transaction);
      const existing = new Map((await registry.findAll({ transaction })).map((row) => [row.id, row]));
      const inserts: Record<string, unknown>[] = [];
      const updates: { row: ServiceRegistry; values: Record<string, unknown> }[] = [];
      const discovered = new Set<string>();
      for (const { metadata, source } of definitions) {
        discovered.add(metadata.id);
        const values = catalogValues({ metadata, source });
        const row = existing.get(metadata.id);
        if (!row) {
          inserts.push({ id: metadata.id, ...values, enabled: metadata.enabledByDefault, status: 'unknown' });
          continue;
        }
        const changed = (Object.keys(values) as (keyof typeof values)[]).some(
          (key) => canonical(row.get(key) as JsonValue) !== canonical(values[key]),
        );
        if (changed) updates.push({ row, values });
      }
      const vanished = [...existing.values()].filter((row) => !discovered.has(row.id) && !row.missing);
      const result = {
        added: inserts.map((values) => values.id as string),
        updated: updates.map(({ row }) => row.id),
        missing: vanished.map((row) => row.id),
      };
      if (inserts.length + updates.length + vanished.length > 0) {
        // One revision for the whole sync: every row it touched carries it.
        const revision = await this.recordChange('catalog', '*', transaction);
        if (inserts.length > 0) {
          await registry.bulkCreate(
            inserts.map((values) => ({ ...values, revision })),
            { transaction },
          );
        }
        for (const { row, values } of updates) await row.update({ ...values, revision }, { transaction });
        if (vanished.length > 0) {
          await registry.update(
            { missing: true, revision },
            { where: { id: vanished.map((row) => row.id) }, transaction },
          );
        }
      }
      const rows = await registry.findAll({ transaction, order: [['id', 'ASC']] });
      // Read inside the transaction: a change committed after it is newer than this and will be seen.
      const revision = await latestRevision(this.db, transaction);
      return { entries: rows.map(toEntry), ...result, revision };
    });
  }

  /**
   * Records the reload of a service in one transaction: its row takes the new code's metadata, and a
   * `reload` change tells every process to load the new code. Returns the revision.
   */
  public async recordReload(definition: ServiceDefinition): Promise<number> {
    return this.db.transaction(async (transaction) => {
      const revision = await this.recordChange('reload', definition.metadata.id, transaction);
      await this.db.repos.registry.update(
        { ...catalogValues(definition), revision },
        { where: { id: definition.metadata.id }, transaction },
      );
      return revision;
    });
  }

  /** Catalog entries changed after `revision`. */
  public async changedSince(revision: number): Promise<CatalogEntry[]> {
    const rows = await this.db.repos.registry.findAll({ where: { revision: { [Op.gt]: revision } } });
    return rows.map(toEntry);
  }

  /** Every catalog entry, by id. */
  public async list(): Promise<CatalogEntry[]> {
    const rows = await this.db.repos.registry.findAll({ order: [['id', 'ASC']] });
    return rows.map(toEntry);
  }

  /** Records the statuses this process observed, one statement per distinct status and message. */
  public async setStatuses(
    statuses: readonly { id: string; status: ServiceStatus; message: string | null }[],
    transaction?: Transaction,
  ): Promise<void> {
    const groups = new Map<string, { status: ServiceStatus; message: string | null; ids: string[] }>();
    for (const { id, status, message } of statuses) {
      const key = JSON.stringify([status, message]);
      const group = groups.get(key) ?? { status, message, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    for (const { status, message, ids } of groups.values()) {
      await this.db.repos.registry.update(
        { status, statusMessage: message },
        { where: { id: ids }, transaction },
      );
    }
  }
}
