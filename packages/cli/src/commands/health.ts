/**
 * `servicedeck health [id]`: checks every service (or one) once, now, and prints the results. Runs its own
 * manager with the same settings as `up` but no schedule, so it works whether the bot is running or not.
 */
import type { HealthCheckRecord } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { NO_SERVICES } from '../output/catalog.js';
import { healthRows, healthSummary, renderHealthTable } from '../output/health.js';
import { Progress, withProgress } from '../output/progress.js';
import { createManager } from '../runtime.js';

/** Options of `health`. */
export interface HealthCommandOptions {
  /** Print the results as a JSON array instead of a table. */
  readonly json?: boolean;
  /** Milliseconds of checking before the progress line appears (default 1 000). */
  readonly progressAfterMs?: number;
}

/**
 * Checks `id` (or every service), prints the results, and returns 0 when none is in `error`, 3 when one
 * is. A service that is not running (disabled, not configured…) shows why and is not a failure.
 */
export async function health(
  context: CommandContext,
  id: string | undefined,
  options: HealthCommandOptions = {},
): Promise<number> {
  const manager = createManager(context, { health: { schedule: false } });
  await withProgress(context, 'starting services…', () => manager.start(), {
    afterMs: options.progressAfterMs ?? 1_000,
  });
  let records: HealthCheckRecord[];
  let services: Awaited<ReturnType<typeof manager.listServices>>;
  try {
    services = await manager.listServices();
    const ids = id === undefined ? services.map((s) => s.id) : [manager.getServiceInfo(id).id];
    const progress = new Progress(context, 'checking…', {
      total: ids.length,
      afterMs: options.progressAfterMs ?? 1_000,
    });
    try {
      records = await Promise.all(
        ids.map(async (serviceId) => {
          const record = await manager.checkHealth(serviceId, { fresh: true });
          progress.tick();
          return record;
        }),
      );
    } finally {
      progress.end();
    }
  } finally {
    await manager.shutdown();
  }
  const rows = healthRows(records, services);
  if (options.json) {
    context.print(JSON.stringify(rows, null, 2));
  } else if (rows.length === 0) {
    context.print(NO_SERVICES);
  } else {
    context.print(renderHealthTable(rows, context.style));
    context.print(`\n${healthSummary(rows)}`);
  }
  return rows.some((row) => row.status === 'error') ? EXIT.unhealthy : EXIT.ok;
}
