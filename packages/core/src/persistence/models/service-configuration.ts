import { Column, DataType, Model, Table } from 'sequelize-typescript';

/**
 * `service_configuration`: one row per configuration key of a service, JSON-encoded; secret values are
 * stored encrypted with the id of the key that encrypted them.
 */
@Table({
  tableName: 'service_configuration',
  underscored: true,
  timestamps: true,
  indexes: [
    { name: 'uq_service_config', unique: true, fields: ['service_id', 'config_key'] },
    { name: 'idx_service_config_service', fields: ['service_id'] },
  ],
})
export class ServiceConfiguration extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare id: number;

  @Column({ type: DataType.STRING(100), allowNull: false })
  declare serviceId: string;

  @Column({ type: DataType.STRING(200), allowNull: false })
  declare configKey: string;

  /** The value, JSON-encoded (or the ciphertext envelope when encrypted). */
  @Column({ type: DataType.TEXT, allowNull: false })
  declare configValue: string;

  @Column({ type: DataType.BOOLEAN, allowNull: false, defaultValue: false })
  declare encrypted: boolean;

  /** Id of the master key that encrypted the value. */
  @Column({ type: DataType.STRING(64), allowNull: true })
  declare keyId: string | null;

  declare createdAt: Date;
  declare updatedAt: Date;
}
