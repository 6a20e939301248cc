import { DataTypes } from 'sequelize';
import type { Migration } from './types.js';

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

const serviceFk = {
  type: DataTypes.STRING(100),
  allowNull: false,
  references: { model: 'service_registry', key: 'id' },
  onDelete: 'CASCADE',
  onUpdate: 'CASCADE',
};

/** The catalog, configuration, config versions, audit log, health history, instances and change log. */
export const initialSchema: Migration = {
  name: '0001-initial-schema',
  async up({ queryInterface: qi, transaction }) {
    await qi.createTable(
      'service_registry',
      {
        id: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        service_type: { type: DataTypes.STRING(20), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'unknown' },
        status_message: { type: DataTypes.TEXT, allowNull: true },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        version: { type: DataTypes.STRING(100), allowNull: true },
        metadata: { type: DataTypes.JSON, allowNull: false },
        config_schema: { type: DataTypes.JSON, allowNull: true },
        health_check_endpoint: { type: DataTypes.STRING(200), allowNull: true },
        last_health_check: { type: DataTypes.DATE, allowNull: true },
        missing: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        source: { type: DataTypes.TEXT, allowNull: true },
        config_version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('service_registry', ['service_type'], {
      name: 'idx_service_registry_type',
      transaction,
    });

    await qi.createTable(
      'service_configuration',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        service_id: serviceFk,
        config_key: { type: DataTypes.STRING(200), allowNull: false },
        config_value: { type: DataTypes.TEXT, allowNull: false },
        encrypted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        key_id: { type: DataTypes.STRING(64), allowNull: true },
        ...timestamps,
      },
      { transaction },
    );
    await qi.addIndex('service_configuration', ['service_id', 'config_key'], {
      name: 'uq_service_config',
      unique: true,
      transaction,
    });
    await qi.addIndex('service_configuration', ['service_id'], {
      name: 'idx_service_config_service',
      transaction,
    });

    await qi.createTable(
      'service_config_version',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        service_id: serviceFk,
        version: { type: DataTypes.INTEGER, allowNull: false },
        values: { type: DataTypes.JSON, allowNull: false },
        actor: { type: DataTypes.STRING(200), allowNull: false },
        adapter: { type: DataTypes.STRING(50), allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('service_config_version', ['service_id', 'version'], {
      name: 'uq_service_config_version',
      unique: true,
      transaction,
    });

    await qi.createTable(
      'audit_log',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        actor: { type: DataTypes.STRING(200), allowNull: false },
        adapter: { type: DataTypes.STRING(50), allowNull: false },
        action: { type: DataTypes.STRING(50), allowNull: false },
        service_id: { type: DataTypes.STRING(100), allowNull: true },
        result: { type: DataTypes.STRING(20), allowNull: false },
        details: { type: DataTypes.JSON, allowNull: false },
        instance_id: { type: DataTypes.STRING(100), allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('audit_log', ['service_id', 'created_at'], {
      name: 'idx_audit_log_service',
      transaction,
    });
    await qi.addIndex('audit_log', ['created_at'], { name: 'idx_audit_log_created', transaction });

    await qi.createTable(
      'health_history',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        service_id: serviceFk,
        instance_id: { type: DataTypes.STRING(100), allowNull: false },
        status: { type: DataTypes.STRING(20), allowNull: false },
        latency_ms: { type: DataTypes.FLOAT, allowNull: true },
        message: { type: DataTypes.TEXT, allowNull: true },
        cause: { type: DataTypes.STRING(100), allowNull: true },
        checked_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await qi.addIndex('health_history', ['service_id', 'checked_at'], {
      name: 'idx_health_history_service',
      transaction,
    });

    await qi.createTable(
      'servicedeck_instance',
      {
        id: { type: DataTypes.STRING(100), primaryKey: true, allowNull: false },
        hostname: { type: DataTypes.STRING(255), allowNull: false },
        pid: { type: DataTypes.INTEGER, allowNull: false },
        started_at: { type: DataTypes.DATE, allowNull: false },
        last_seen_at: { type: DataTypes.DATE, allowNull: false },
        last_revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        details: { type: DataTypes.JSON, allowNull: false },
      },
      { transaction },
    );

    await qi.createTable(
      'change_log',
      {
        revision: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
        kind: { type: DataTypes.STRING(30), allowNull: false },
        entity_id: { type: DataTypes.STRING(100), allowNull: false },
        instance_id: { type: DataTypes.STRING(100), allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
  },
  async down({ queryInterface: qi, transaction }) {
    for (const table of [
      'change_log',
      'servicedeck_instance',
      'health_history',
      'audit_log',
      'service_config_version',
      'service_configuration',
      'service_registry',
    ]) {
      await qi.dropTable(table, { transaction });
    }
  },
};
