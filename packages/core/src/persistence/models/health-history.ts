import { Column, DataType, Model, Table } from 'sequelize-typescript';
import type { ServiceStatus } from '../../types.js';

/** `health_history`: the result of every health check, kept with retention by age and count. */
@Table({
  tableName: 'health_history',
  underscored: true,
  timestamps: false,
  indexes: [{ name: 'idx_health_history_service', fields: ['service_id', 'checked_at'] }],
})
export class HealthHistory extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare id: number;

  @Column({ type: DataType.STRING(100), allowNull: false })
  declare serviceId: string;

  /** The bot process that ran the check. */
  @Column({ type: DataType.STRING(100), allowNull: false })
  declare instanceId: string;

  @Column({ type: DataType.STRING(20), allowNull: false })
  declare status: ServiceStatus;

  @Column({ type: DataType.FLOAT, allowNull: true })
  declare latencyMs: number | null;

  @Column({ type: DataType.TEXT, allowNull: true })
  declare message: string | null;

  /** The dependency whose failure caused this one, if any. */
  @Column({ type: DataType.STRING(100), allowNull: true })
  declare cause: string | null;

  @Column({ type: DataType.DATE, allowNull: false })
  declare checkedAt: Date;
}
