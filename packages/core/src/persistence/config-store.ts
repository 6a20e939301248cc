/**
 * Stored configuration: the current settings of each service (`service_configuration`, one row per key,
 * secrets as encrypted envelopes), every accepted version (`service_config_version`), and the version
 * counter on the catalog row that makes concurrent edits conflict instead of overwriting each other.
 */
import { Op, type Transaction } from 'sequelize';
import type { JsonObject, JsonValue } from '../types.js';
import type { Database } from './database.js';
import { jsonColumn } from './json-column.js';

/** One stored setting: a plain JSON value, or an encrypted envelope with the id of its key. */
export type StoredValue = { readonly v: JsonValue } | { readonly enc: string; readonly keyId: string };

/** A service's stored settings, by key. */
export type StoredConfig = Readonly<Record<string, StoredValue>>;

/** A stored configuration version. */
export interface StoredVersion {
  readonly version: number;
  readonly values: StoredConfig;
  readonly actor: string;
  readonly adapter: string;
  readonly createdAt: Date;
}

/** Whether a stored value is encrypted. */
export function isEncrypted(value: StoredValue): value is { readonly enc: string; readonly keyId: string } {
  return 'enc' in value;
}

function sameStored(a: StoredValue | undefined, b: StoredValue): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Reads and writes stored configuration. */
export class ConfigStore {
  public constructor(private readonly db: Database) {}

  /** The stored settings and version of one service. */
  public async read(
    serviceId: string,
    transaction?: Transaction,
  ): Promise<{ version: number; values: StoredConfig }> {
    const row = await this.db.repos.registry.findByPk(serviceId, {
      transaction,
      attributes: ['id', 'configVersion'],
    });
    const rows = await this.db.repos.configuration.findAll({ where: { serviceId }, transaction });
    return {
      version: row?.configVersion ?? 0,
      values: Object.fromEntries(rows.map((r) => [r.configKey, toStored(r)])),
    };
  }

  /** Every service's stored settings and version. */
  public async readAll(): Promise<Map<string, { version: number; values: StoredConfig }>> {
    const [registry, rows] = await Promise.all([
      this.db.repos.registry.findAll({ attributes: ['id', 'configVersion'] }),
      this.db.repos.configuration.findAll(),
    ]);
    const out = new Map<string, { version: number; values: Record<string, StoredValue> }>();
    for (const r of registry) out.set(r.id, { version: r.configVersion, values: {} });
    for (const row of rows) {
      const entry = out.get(row.serviceId);
      if (entry) entry.values[row.configKey] = toStored(row);
    }
    return out;
  }

  /**
   * Replaces a service's settings with `next` as version `expectedVersion + 1`, in the caller's
   * transaction. Returns false, writing nothing, when the stored version is no longer `expectedVersion`.
   */
  public async write(
    serviceId: string,
    expectedVersion: number,
    next: StoredConfig,
    meta: { actor: string; adapter: string; revision: number },
    transaction: Transaction,
  ): Promise<boolean> {
    const { registry, configuration, configVersions } = this.db.repos;
    const [updated] = await registry.update(
      { configVersion: expectedVersion + 1, revision: meta.revision },
      { where: { id: serviceId, configVersion: expectedVersion }, transaction },
    );
    if (updated !== 1) return false;
    const rows = await configuration.findAll({ where: { serviceId }, transaction });
    const existing = new Map(rows.map((row) => [row.configKey, row]));
    const removed = rows.filter((row) => !(row.configKey in next)).map((row) => row.id);
    if (removed.length > 0) await configuration.destroy({ where: { id: { [Op.in]: removed } }, transaction });
    for (const [key, value] of Object.entries(next)) {
      const row = existing.get(key);
      if (row && sameStored(toStored(row), value)) continue;
      const columns = isEncrypted(value)
        ? { configValue: value.enc, encrypted: true, keyId: value.keyId }
        : { configValue: JSON.stringify((value as { v: JsonValue }).v), encrypted: false, keyId: null };
      if (row) await row.update(columns, { transaction });
      else await configuration.create({ serviceId, configKey: key, ...columns }, { transaction });
    }
    await configVersions.create(
      {
        serviceId,
        version: expectedVersion + 1,
        values: next as JsonObject,
        actor: meta.actor,
        adapter: meta.adapter,
      },
      { transaction },
    );
    return true;
  }

  /** Every stored version of a service, newest first. */
  public async versions(serviceId: string, limit = 50): Promise<StoredVersion[]> {
    const rows = await this.db.repos.configVersions.findAll({
      where: { serviceId },
      order: [['version', 'DESC']],
      limit,
    });
    return rows.map(toVersion);
  }

  /** One stored version, or undefined. */
  public async version(serviceId: string, version: number): Promise<StoredVersion | undefined> {
    const row = await this.db.repos.configVersions.findOne({ where: { serviceId, version } });
    return row ? toVersion(row) : undefined;
  }
}

function toStored(row: { configValue: string; encrypted: boolean; keyId: string | null }): StoredValue {
  return row.encrypted
    ? { enc: row.configValue, keyId: row.keyId ?? '' }
    : { v: JSON.parse(row.configValue) as JsonValue };
}

function toVersion(row: {
  version: number;
  values: JsonObject;
  actor: string;
  adapter: string;
  createdAt: Date;
}): StoredVersion {
  const values = jsonColumn<StoredConfig>(row.values);
  return {
    version: row.version,
    values,
    actor: row.actor,
    adapter: row.adapter,
    createdAt: new Date(row.createdAt),
  };
}
