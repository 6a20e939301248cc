import { Column, DataType, Model, Table } from 'sequelize-typescript';
import type { JsonObject } from '../../types.js';

/** `service_config_version`: every accepted configuration of a service, for history and rollback. */
@Table({
  tableName: 'service_config_version',
  underscored: true,
  timestamps: true,
  updatedAt: false,
  indexes: [{ name: 'uq_service_config_version', unique: true, fields: ['service_id', 'version'] }],
})
export class ServiceConfigVersion extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare id: number;

  @Column({ type: DataType.STRING(100), allowNull: false })
  declare serviceId: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare version: number;

  /** The full configuration of this version, secrets as stored (encrypted). */
  @Column({ type: DataType.JSON, allowNull: false })
  declare values: JsonObject;

  @Column({ type: DataType.STRING(200), allowNull: false })
  declare actor: string;

  @Column({ type: DataType.STRING(50), allowNull: false })
  declare adapter: string;

  declare createdAt: Date;
}
