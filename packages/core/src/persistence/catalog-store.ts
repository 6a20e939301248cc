/**
 * The catalog in the database: discovered services are upserted on every start, keeping their persisted
 * `enabled` flag and configuration; services no longer discovered are kept and marked missing.
 */
import type { Transaction } from 'sequelize';
import { describeSource, type ServiceDefinition } from '../definition.js';
import type { JsonObject, JsonValue, ServiceMetadata, ServiceStatus, ServiceType } from '../types.js';
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
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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
  private async recordChange(kind: string, entityId: string, transaction: Transaction): Promise<number> {
    const change = await this.db.repos.changes.create(
      { kind, entityId, instanceId: this.instanceId },
      { transaction },
    );
    return change.revision;
  }

  /**
   * Upserts the discovered services in one transaction. New services start with their
   * `enabledByDefault`; known ones keep `enabled` and configuration; undiscovered ones are marked missing.
   */
  public async sync(definitions: readonly ServiceDefinition[]): Promise<CatalogSyncResult> {
    const { registry } = this.db.repos;
    return this.db.transaction(async (transaction) => {
      const existing = new Map((await registry.findAll({ transaction })).map((row) => [row.id, row]));
      const added: string[] = [];
      const updated: string[] = [];
      const missing: string[] = [];
      const discovered = new Set<string>();
      for (const { metadata, source } of definitions) {
        discovered.add(metadata.id);
        const values = {
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
        const row = existing.get(metadata.id);
        if (!row) {
          const revision = await this.recordChange('service', metadata.id, transaction);
          await registry.create(
            { id: metadata.id, ...values, enabled: metadata.enabledByDefault, status: 'unknown', revision },
            { transaction },
          );
          added.push(metadata.id);
          continue;
        }
        const changed = (Object.keys(values) as (keyof typeof values)[]).filter(
          (key) => canonical(row.get(key) as JsonValue) !== canonical(values[key]),
        );
        if (changed.length === 0) continue;
        const revision = await this.recordChange('service', metadata.id, transaction);
        await row.update({ ...values, revision }, { transaction });
        updated.push(metadata.id);
      }
      for (const [id, row] of existing) {
        if (discovered.has(id) || row.missing) continue;
        const revision = await this.recordChange('service', id, transaction);
        await row.update({ missing: true, revision }, { transaction });
        missing.push(id);
      }
      const rows = await registry.findAll({ transaction, order: [['id', 'ASC']] });
      return { entries: rows.map(toEntry), added, updated, missing };
    });
  }

  /** Every catalog entry, by id. */
  public async list(): Promise<CatalogEntry[]> {
    const rows = await this.db.repos.registry.findAll({ order: [['id', 'ASC']] });
    return rows.map(toEntry);
  }

  /** The stored (non-secret) configuration of a service, decoded. */
  public async readConfig(serviceId: string): Promise<JsonObject> {
    const rows = await this.db.repos.configuration.findAll({ where: { serviceId, encrypted: false } });
    const config: JsonObject = {};
    for (const row of rows) config[row.configKey] = JSON.parse(row.configValue) as JsonValue;
    return config;
  }

  /** Records the status this process observed. */
  public async setStatus(serviceId: string, status: ServiceStatus, message: string | null): Promise<void> {
    await this.db.repos.registry.update({ status, statusMessage: message }, { where: { id: serviceId } });
  }
}
