/**
 * `servicedeck list` and `servicedeck status <id>`: the catalog and one service in detail, read from the
 * same database as the running bot.
 */
import type { RegistryProcesses, ServiceRegistryManager, ServiceType } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { NO_SERVICES } from '../output/catalog.js';
import {
  catalogRow,
  checkRow,
  listSummary,
  processesNote,
  renderServiceDetail,
  renderServiceList,
  type ServiceDetail,
  type ServiceRow,
  serviceRow,
  uptimeRow,
} from '../output/services.js';

/** Options of `list`. */
export interface ListOptions {
  /** Only services of this type. */
  readonly type?: ServiceType;
  /** Only services whose desired state is enabled. */
  readonly enabled?: boolean;
  /** Print a JSON array instead of the table. */
  readonly json?: boolean;
}

/**
 * The catalog's rows, straight from the database with the bare driver (fast), or — when no catalog exists
 * yet — from a manager in control mode, which discovers the services and records the catalog first.
 */
async function catalogRows(
  context: CommandContext,
  options: ListOptions,
): Promise<{ rows: ServiceRow[]; processes: RegistryProcesses }> {
  const { isServiceDeckError, readRegistry } = await import('@servicedeck/core/catalog');
  const snapshot = await readRegistry(context.settings.database, context.io.cwd).catch((error: unknown) => {
    if (isServiceDeckError(error, 'SD_ERR_DATABASE_UNAVAILABLE') && error.details.catalog === 'missing')
      return undefined;
    throw error;
  });
  if (snapshot === undefined || snapshot.services.length === 0) return managerRows(context, options);
  const rows = snapshot.services
    .filter(
      (entry) =>
        (options.type === undefined || entry.type === options.type) &&
        (!options.enabled || (entry.enabled && !entry.missing)),
    )
    .map(catalogRow);
  return { rows, processes: snapshot.processes };
}

async function managerRows(
  context: CommandContext,
  options: ListOptions,
): Promise<{ rows: ServiceRow[]; processes: RegistryProcesses }> {
  // The manager (and the ORM under it) loads only when needed: list answers from the catalog otherwise.
  const { withManager } = await import('../runtime.js');
  return withManager(context, async (manager) => {
    const services = await manager.listServices({
      ...(options.type === undefined ? {} : { type: options.type }),
      ...(options.enabled ? { enabledOnly: true } : {}),
    });
    // Only the services that run take their status from their last check.
    const rows = await Promise.all(
      services.map(async (summary) =>
        serviceRow(summary, summary.running ? (await manager.healthHistory(summary.id, 1))[0] : undefined),
      ),
    );
    return { rows, processes: await processesOf(manager) };
  });
}

/** Prints the catalog; exits 0. */
export async function list(context: CommandContext, options: ListOptions = {}): Promise<number> {
  const { rows, processes } = await catalogRows(context, options);
  if (options.json) {
    context.print(JSON.stringify(rows, null, 2));
  } else if (rows.length === 0) {
    context.print(options.type || options.enabled ? 'No service matches.' : NO_SERVICES);
  } else {
    const now = new Date();
    context.print(renderServiceList(rows, context.style, now));
    context.print(`\n${listSummary(rows)} ${processesNote(processes, now)}`);
  }
  return EXIT.ok;
}

/** The running processes, from their heartbeats, as a control-mode manager sees them. */
async function processesOf(manager: ServiceRegistryManager): Promise<RegistryProcesses> {
  const instances = await manager.listInstances();
  const lastSeen = instances.map((i) => i.lastSeenAt.getTime());
  return {
    running: instances.filter((i) => i.state === 'running').length,
    lastSeenAt: lastSeen.length === 0 ? null : new Date(Math.max(...lastSeen)),
  };
}

/** Options of `status`. */
export interface StatusOptions {
  /** How many recent checks to show (default 5). */
  readonly checks?: number;
  /** Print a JSON object instead of the text. */
  readonly json?: boolean;
}

/** Prints one service in detail; exits 0 (1 when it is not in the catalog). */
export async function status(
  context: CommandContext,
  id: string,
  options: StatusOptions = {},
): Promise<number> {
  const { withManager } = await import('../runtime.js');
  const { detail, related, processes } = await withManager(context, async (manager) => {
    const summary = manager.getServiceInfo(id);
    const all = await manager.listServices();
    const checks = await manager.healthHistory(id, Math.max(1, options.checks ?? 5));
    const uptime = await manager.uptime(id);
    const detail: ServiceDetail = {
      ...serviceRow(summary, checks[0]),
      dependents: all.filter((s) => s.dependencies.includes(id)).map((s) => s.id),
      source: summary.source,
      lastCheck: checks[0] ? checkRow(checks[0]) : null,
      uptime: uptimeRow(uptime),
      checks: checks.slice(0, options.checks ?? 5).map(checkRow),
    };
    return {
      detail,
      related: new Map(all.map((s) => [s.id, { enabled: s.enabled, missing: s.missing }])),
      processes: await processesOf(manager),
    };
  });
  if (options.json) context.print(JSON.stringify(detail, null, 2));
  else context.print(renderServiceDetail(detail, related, context.style, new Date(), processes));
  return EXIT.ok;
}
