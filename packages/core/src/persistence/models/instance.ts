import { Column, DataType, Model, PrimaryKey, Table } from 'sequelize-typescript';
import type { JsonObject } from '../../types.js';

/** `servicedeck_instance`: every bot process (or CLI) running a manager against this database. */
@Table({ tableName: 'servicedeck_instance', underscored: true, timestamps: false })
export class Instance extends Model {
  @PrimaryKey
  @Column(DataType.STRING(100))
  declare id: string;

  @Column({ type: DataType.STRING(255), allowNull: false })
  declare hostname: string;

  @Column({ type: DataType.INTEGER, allowNull: false })
  declare pid: number;

  @Column({ type: DataType.DATE, allowNull: false })
  declare startedAt: Date;

  @Column({ type: DataType.DATE, allowNull: false })
  declare lastSeenAt: Date;

  /** The last change-log revision this instance applied. */
  @Column({ type: DataType.INTEGER, allowNull: false, defaultValue: 0 })
  declare lastRevision: number;

  /** servicedeck version, adapters running, shard ids… */
  @Column({ type: DataType.JSON, allowNull: false, defaultValue: {} })
  declare details: JsonObject;
}
