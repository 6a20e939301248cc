/**
 * Changes of desired state: each is a row of `change_log` whose auto-incremented revision every process
 * compares against, and on PostgreSQL also a NOTIFY (delivered at commit) carrying only
 * `{ kind, id, revision }`, so other processes know to look.
 */
import { Op, type Transaction } from 'sequelize';
import type { Database } from './database.js';

/** The PostgreSQL channel changes are announced on. */
export const CHANGE_CHANNEL = 'servicedeck_changes';

/** What kind of desired state changed. */
export type ChangeKind = 'catalog' | 'state' | 'config' | 'reload';

/** A recorded change. */
export interface Change {
  readonly revision: number;
  readonly kind: ChangeKind;
  /** The service concerned (`*` for a whole-catalog sync). */
  readonly id: string;
  /** The process that made it. */
  readonly instanceId: string | null;
}

/** Arbitrary constant identifying servicedeck's change lock among PostgreSQL advisory locks. */
const CHANGE_LOCK_KEY = 727_263_002;

/**
 * Serializes the transactions that change desired state, until they commit (PostgreSQL; SQLite's
 * immediate transactions already do). Revisions are then committed in the order they are assigned, so a
 * reader that has seen revision N never misses a change numbered below N that commits later.
 */
export async function lockChanges(db: Database, transaction: Transaction): Promise<void> {
  if (db.dialect !== 'postgres') return;
  await db.sequelize.query(`SELECT pg_advisory_xact_lock(${CHANGE_LOCK_KEY})`, { transaction });
}

/** Records a change in the caller's transaction and returns its revision. */
export async function recordChange(
  db: Database,
  kind: ChangeKind,
  entityId: string,
  instanceId: string | null,
  transaction: Transaction,
): Promise<number> {
  await lockChanges(db, transaction);
  const row = await db.repos.changes.create({ kind, entityId, instanceId }, { transaction });
  if (db.dialect === 'postgres') {
    const payload = JSON.stringify({ kind, id: entityId, revision: row.revision });
    await db.sequelize.query('SELECT pg_notify(:channel, :payload)', {
      replacements: { channel: CHANGE_CHANNEL, payload },
      transaction,
    });
  }
  return row.revision;
}

/** Changes after `revision`, oldest first (at most `limit`). */
export async function changesSince(db: Database, revision: number, limit = 1_000): Promise<Change[]> {
  const rows = await db.repos.changes.findAll({
    where: { revision: { [Op.gt]: revision } },
    order: [['revision', 'ASC']],
    limit,
  });
  return rows.map((row) => ({
    revision: row.revision,
    kind: row.kind as ChangeKind,
    id: row.entityId,
    instanceId: row.instanceId,
  }));
}

/** The newest revision (0 when nothing changed yet): the cheap counter SQLite processes poll. */
export async function latestRevision(db: Database, transaction?: Transaction): Promise<number> {
  const latest = (await db.repos.changes.max('revision', { transaction })) as number | null;
  return latest ?? 0;
}
