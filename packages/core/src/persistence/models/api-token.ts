import { Column, DataType, Model, Table } from 'sequelize-typescript';

/** `api_token`: a token for automation, stored as a SHA-256 hash; the token itself is shown once. */
@Table({
  tableName: 'api_token',
  underscored: true,
  timestamps: true,
  updatedAt: false,
  indexes: [{ name: 'uq_api_token_hash', unique: true, fields: ['token_hash'] }],
})
export class ApiToken extends Model {
  @Column({ type: DataType.INTEGER, primaryKey: true, autoIncrement: true })
  declare id: number;

  /** What it is for, as its creator named it. */
  @Column({ type: DataType.STRING(100), allowNull: false })
  declare name: string;

  /** `read` or `manage`. */
  @Column({ type: DataType.STRING(20), allowNull: false })
  declare scope: string;

  /** Hex SHA-256 of the token. */
  @Column({ type: DataType.STRING(64), allowNull: false })
  declare tokenHash: string;

  /** The token's first characters, to recognise it in a list. */
  @Column({ type: DataType.STRING(20), allowNull: false })
  declare prefix: string;

  @Column({ type: DataType.STRING(200), allowNull: false })
  declare createdBy: string;

  @Column({ type: DataType.DATE, allowNull: true })
  declare lastUsedAt: Date | null;

  @Column({ type: DataType.DATE, allowNull: true })
  declare revokedAt: Date | null;

  declare createdAt: Date;
}
