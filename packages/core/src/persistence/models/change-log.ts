import { Column, DataType, Model, Table } from 'sequelize-typescript';

/**
 * `change_log`: one row per change of desired state. Its auto-incremented `revision` is the counter every
 * process compares against to find what changed since it last looked.
 */
@Table({ tableName: 'change_log', underscored: true, timestamps: true, updatedAt: false })
export class ChangeLog extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare revision: number;

  /** What changed: `catalog` (a discovery sync; entity `*`), `state` (enabled flag), `config`. */
  @Column({ type: DataType.STRING(30), allowNull: false })
  declare kind: string;

  @Column({ type: DataType.STRING(100), allowNull: false })
  declare entityId: string;

  @Column({ type: DataType.STRING(100), allowNull: true })
  declare instanceId: string | null;

  declare createdAt: Date;
}
