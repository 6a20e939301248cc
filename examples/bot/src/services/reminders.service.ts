/**
 * The bot's own `reminders` service: reminders users ask for, stored in PostgreSQL through the
 * `postgres` service. It shows how a bot writes an internal service that depends on a plugin: it declares
 * the dependency, receives the live `PostgresService` by injection, creates what it needs on enable, and
 * offers a small typed API to the rest of the bot.
 */
import {
  BaseService,
  type ConfigSchema,
  type HealthCheckResult,
  inject,
  type Logger,
  SERVICE_CONTEXT,
  Service,
  type ServiceContext,
  serviceToken,
  silentLogger,
} from '@servicedeck/core';
import type { Pool, PostgresService } from '@servicedeck/plugin-postgres';

/** The configuration of the reminders service. */
export type RemindersConfig = {
  /** The table holding the reminders (default `reminders`). */
  readonly table: string;
};

const REMINDERS_CONFIG_SCHEMA: ConfigSchema = {
  type: 'object',
  properties: {
    table: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}$',
      default: 'reminders',
      description: 'The table holding the reminders (lower-case letters, digits and underscores).',
    },
  },
  additionalProperties: false,
};

/** A reminder, as the bot's code sees it. */
export interface Reminder {
  readonly id: number;
  /** The Discord user to remind. */
  readonly userId: string;
  readonly text: string;
  /** When to remind them. */
  readonly dueAt: Date;
  readonly createdAt: Date;
  /** When it was delivered, or null while it is pending. */
  readonly completedAt: Date | null;
}

/** A new reminder. */
export interface NewReminder {
  readonly userId: string;
  readonly text: string;
  readonly dueAt: Date;
}

interface ReminderRow {
  id: number;
  user_id: string;
  text: string;
  due_at: Date;
  created_at: Date;
  completed_at: Date | null;
}

function toReminder(row: ReminderRow): Reminder {
  return {
    id: row.id,
    userId: row.user_id,
    text: row.text,
    dueAt: row.due_at,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}

/** `HH:MM` (UTC) today, or the date and time another day: when the oldest overdue reminder was due. */
function when(at: Date, now: Date): string {
  const iso = at.toISOString();
  return iso.slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${iso.slice(11, 16)} UTC`
    : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Reminders stored in PostgreSQL. Get it with `manager.getService<RemindersService>('reminders')`.
 *
 * @example
 * ```ts
 * const reminders = manager.getService<RemindersService>('reminders');
 * await reminders.add({ userId: interaction.user.id, text: 'stand-up', dueAt: new Date(Date.now() + 600_000) });
 * ```
 */
@Service({
  id: 'reminders',
  name: 'Reminders',
  description: 'Reminders users ask the bot for, stored in PostgreSQL.',
  type: 'internal',
  version: '0.1.0',
  dependencies: ['postgres'],
  tags: ['example', 'database'],
  configSchema: REMINDERS_CONFIG_SCHEMA,
})
export class RemindersService extends BaseService<RemindersConfig> {
  private readonly logger: Logger;
  /** The pools the table is known to exist behind: a new pool (new postgres settings) checks again. */
  private readonly prepared = new WeakSet<Pool>();

  /**
   * @param postgres - the live `postgres` service, injected by the manager because it is a dependency.
   * @param context - injected by the manager; omit it when constructing the service yourself.
   */
  public constructor(
    @inject(serviceToken('postgres')) private readonly postgres: PostgresService,
    @inject(SERVICE_CONTEXT) context?: ServiceContext,
  ) {
    super();
    this.logger = context?.logger ?? silentLogger;
  }

  private get table(): string {
    return `"${this.config.table}"`;
  }

  /**
   * The pool of the `postgres` service, with the table created behind it. Fetched for each use: a
   * change of the postgres settings replaces the pool.
   */
  private async pool(): Promise<Pool> {
    const pool = this.postgres.client;
    if (this.prepared.has(pool)) return pool;
    const client = await pool.connect();
    try {
      // Several processes of the bot may start at once: one creates the table, the others wait for it.
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.config.table]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
          id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          user_id text NOT NULL,
          text text NOT NULL,
          due_at timestamptz NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          completed_at timestamptz
        )`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS "${this.config.table}_pending" ON ${this.table} (due_at) WHERE completed_at IS NULL`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.prepared.add(pool);
    this.logger.info('reminders table ready', { table: this.config.table });
    return pool;
  }

  /** Creates the table if it does not exist yet; running it again changes nothing. */
  public override async enable(): Promise<void> {
    await this.pool();
  }

  /**
   * Stores a new reminder.
   *
   * @param reminder - who to remind, of what, and when.
   * @returns the stored reminder, with its id.
   */
  public async add(reminder: NewReminder): Promise<Reminder> {
    const pool = await this.pool();
    const { rows } = await pool.query<ReminderRow>(
      `INSERT INTO ${this.table} (user_id, text, due_at) VALUES ($1, $2, $3) RETURNING *`,
      [reminder.userId, reminder.text, reminder.dueAt],
    );
    return toReminder(rows[0] as ReminderRow);
  }

  /**
   * The pending reminders due at `now` or earlier, oldest first: what the bot should send now.
   *
   * @param now - the time to compare with (default: now).
   * @param limit - the most reminders returned (default 50).
   */
  public async due(now: Date = new Date(), limit = 50): Promise<Reminder[]> {
    const pool = await this.pool();
    const { rows } = await pool.query<ReminderRow>(
      `SELECT * FROM ${this.table} WHERE completed_at IS NULL AND due_at <= $1 ORDER BY due_at, id LIMIT $2`,
      [now, limit],
    );
    return rows.map(toReminder);
  }

  /**
   * The pending reminders of one user, soonest first.
   *
   * @param userId - the Discord user.
   */
  public async pendingFor(userId: string): Promise<Reminder[]> {
    const pool = await this.pool();
    const { rows } = await pool.query<ReminderRow>(
      `SELECT * FROM ${this.table} WHERE completed_at IS NULL AND user_id = $1 ORDER BY due_at, id`,
      [userId],
    );
    return rows.map(toReminder);
  }

  /**
   * Marks a reminder as delivered.
   *
   * @param id - the reminder's id.
   * @returns true if it was pending, false if it was already completed or does not exist.
   */
  public async complete(id: number): Promise<boolean> {
    const pool = await this.pool();
    const { rowCount } = await pool.query(
      `UPDATE ${this.table} SET completed_at = now() WHERE id = $1 AND completed_at IS NULL`,
      [id],
    );
    return rowCount === 1;
  }

  /**
   * Counts the pending and overdue reminders. `active` with the query's latency; a warning when
   * reminders are overdue (whatever sends them is behind); `error` when the table cannot be read.
   */
  public override async healthCheck(): Promise<HealthCheckResult> {
    const started = performance.now();
    try {
      const pool = await this.pool();
      const { rows } = await pool.query<{ pending: number; overdue: number; oldest: Date | null }>(
        `SELECT count(*)::int AS pending,
                count(*) FILTER (WHERE due_at <= now())::int AS overdue,
                min(due_at) FILTER (WHERE due_at <= now()) AS oldest
           FROM ${this.table} WHERE completed_at IS NULL`,
      );
      const latencyMs = Math.round(performance.now() - started);
      const { pending = 0, overdue = 0, oldest = null } = rows[0] ?? {};
      const late =
        overdue > 0 && oldest
          ? `; warning: ${overdue} overdue, the oldest due ${when(oldest, new Date())}`
          : '';
      return {
        status: 'active',
        message: `${pending} pending${late}; counted in ${latencyMs} ms`,
        details: { pending, overdue, latencyMs },
      };
    } catch (error) {
      return {
        status: 'error',
        message: `table "${this.config.table}" unreachable: ${this.postgres.explain(error)}`,
      };
    }
  }
}
