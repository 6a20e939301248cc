import { Column, DataType, Model, Table } from 'sequelize-typescript';
import type { JsonObject } from '../../types.js';

/** `audit_log`: every management action: who, what, which service, from where, with what result. */
@Table({
  tableName: 'audit_log',
  underscored: true,
  timestamps: true,
  updatedAt: false,
  indexes: [
    { name: 'idx_audit_log_service', fields: ['service_id', 'created_at'] },
    { name: 'idx_audit_log_created', fields: ['created_at'] },
  ],
})
export class AuditLog extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare id: number;

  /** Who acted: a Discord user id, an OS user, an API token name. */
  @Column({ type: DataType.STRING(200), allowNull: false })
  declare actor: string;

  /** Through what: `discord`, `cli`, `web`, `core`. */
  @Column({ type: DataType.STRING(50), allowNull: false })
  declare adapter: string;

  /** What was done: `enable`, `disable`, `config.update`, … */
  @Column({ type: DataType.STRING(50), allowNull: false })
  declare action: string;

  /** The service concerned; kept as text so the entry outlives the service. */
  @Column({ type: DataType.STRING(100), allowNull: true })
  declare serviceId: string | null;

  /** `ok`, `failed` or `denied`. */
  @Column({ type: DataType.STRING(20), allowNull: false })
  declare result: string;

  /** Before/after (secrets redacted), reason of a failure, guild… */
  @Column({ type: DataType.JSON, allowNull: false, defaultValue: {} })
  declare details: JsonObject;

  @Column({ type: DataType.STRING(100), allowNull: true })
  declare instanceId: string | null;

  declare createdAt: Date;
}
