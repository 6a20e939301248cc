import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

/** API tokens for automation: hashed, scoped, revocable, with when each was last used. */
export const apiTokens: Migration = {
  name: '0002-api-tokens',
  async up({ queryInterface: qi, transaction }) {
    await qi.createTable(
      'api_token',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        name: { type: DataTypes.STRING(100), allowNull: false },
        scope: { type: DataTypes.STRING(20), allowNull: false },
        token_hash: { type: DataTypes.STRING(64), allowNull: false },
        prefix: { type: DataTypes.STRING(20), allowNull: false },
        created_by: { type: DataTypes.STRING(200), allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        last_used_at: { type: DataTypes.DATE, allowNull: true },
        revoked_at: { type: DataTypes.DATE, allowNull: true },
      },
      { transaction },
    );
    await qi.addIndex('api_token', ['token_hash'], { name: 'uq_api_token_hash', unique: true, transaction });
  },
  async down({ queryInterface: qi, transaction }) {
    await qi.dropTable('api_token', { transaction });
  },
};
