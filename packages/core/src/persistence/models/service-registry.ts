import { Column, DataType, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { JsonObject, ServiceStatus, ServiceType } from '../../types.js';

/**
 * `service_registry`: the catalog, one row per service ever discovered. `enabled` and the configuration
 * are desired state shared by every bot process; `status` is the last status observed by any of them.
 */
@Table({ tableName: 'service_registry', underscored: true, timestamps: true })
export class ServiceRegistry extends Model {
  /** Unique service id (`github`, `redis`). */
  @PrimaryKey
  @Column(DataType.STRING(100))
  declare id: string;

  @Column({ type: DataType.STRING(200), allowNull: false })
  declare name: string;

  @Column({ type: DataType.TEXT, allowNull: false, defaultValue: '' })
  declare description: string;

  @Column({ type: DataType.STRING(20), allowNull: false })
  declare serviceType: ServiceType;

  @Column({ type: DataType.STRING(20), allowNull: false, defaultValue: 'unknown' })
  declare status: ServiceStatus;

  /** Why the service has its status ("not configured", the error of a failed start…). */
  @Column({ type: DataType.TEXT, allowNull: true })
  declare statusMessage: string | null;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: true })
  declare enabled: boolean;

  @Column({ type: DataType.STRING(100), allowNull: true })
  declare version: string | null;

  /** The rest of the service's metadata: dependencies, tags, health-check settings, source. */
  @Column({ type: DataType.JSON, allowNull: false, defaultValue: {} })
  declare metadata: JsonObject;

  @Column({ type: DataType.JSON, allowNull: true })
  declare configSchema: JsonObject | null;

  @Column({ type: DataType.STRING(200), allowNull: true })
  declare healthCheckEndpoint: string | null;

  @Column({ type: DataType.DATE, allowNull: true })
  declare lastHealthCheck: Date | null;

  /** True when the service was not found at the last discovery; its row and settings are kept. */
  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
  declare missing: boolean;

  /** Where the service was discovered (file and package). */
  @Column({ type: DataType.TEXT, allowNull: true })
  declare source: string | null;

  /** The current configuration version, for optimistic locking of configuration edits. */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare configVersion: number;

  /** The change-log revision that last changed this row's desired state. */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare revision: number;

  declare createdAt: Date;
  declare updatedAt: Date;
}
