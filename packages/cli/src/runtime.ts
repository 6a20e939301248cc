/**
 * The manager every command runs: the same database, discovery and environment for `up`, `health` and
 * the management commands, and who the management commands act as.
 */
import { userInfo } from 'node:os';
import { type Actor, ServiceRegistryManager, type ServiceRegistryManagerOptions } from '@servicedeck/core';
import type { CommandContext } from './context.js';
import { withProgress } from './output/progress.js';

/** What a command changes in the manager it runs. */
export interface ManagerOverrides {
  /** Health monitoring (`health` turns the schedule off and checks on demand). */
  readonly health?: ServiceRegistryManagerOptions['health'];
  /** Following other processes' changes (one-shot management commands turn it off). */
  readonly sync?: ServiceRegistryManagerOptions['sync'];
  /** Whether the process runs services or only controls the registry (management commands). */
  readonly mode?: ServiceRegistryManagerOptions['mode'];
}

/** Creates (does not start) the manager for a command, from the resolved settings. */
export function createManager(
  context: CommandContext,
  overrides: ManagerOverrides = {},
): ServiceRegistryManager {
  const { settings, logger, io } = context;
  return new ServiceRegistryManager({
    database: { url: settings.database, cwd: io.cwd, logger },
    discovery: { root: settings.root, plugins: settings.plugins, serviceGlobs: settings.services },
    // Environment overrides (SERVICEDECK_SVC_<SERVICE>__<KEY>) and the master key come from the command's
    // environment, and the key file is found from its working directory.
    config: { env: io.env, cwd: io.cwd },
    logger,
    ...(overrides.health === undefined ? {} : { health: overrides.health }),
    ...(overrides.sync === undefined ? {} : { sync: overrides.sync }),
    ...(overrides.mode === undefined ? {} : { mode: overrides.mode }),
  });
}

/**
 * Runs `work` with a started manager for a one-shot management command, and shuts it down afterwards
 * (also when `work` throws). The manager is in `control` mode: it discovers services and syncs the
 * catalog, but runs no service, checks nothing and leaves the statuses the bot recorded as they are. Its
 * changes are stored, and every running bot process applies them through its change feed.
 */
export async function withManager<T>(
  context: CommandContext,
  work: (manager: ServiceRegistryManager) => Promise<T>,
): Promise<T> {
  const manager = createManager(context, { sync: { enabled: false }, mode: 'control' });
  await withProgress(context, 'opening the registry…', () => manager.start());
  let result: T;
  try {
    result = await work(manager);
  } catch (error) {
    // The command's own error is the one to report, not a failure to stop after it.
    await manager.shutdown().catch(() => undefined);
    throw error;
  }
  await manager.shutdown();
  return result;
}

/** Who the management commands act as, for the audit log: the OS user, through the `cli` adapter. */
export function cliActor(env: NodeJS.ProcessEnv = process.env): Actor {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
  }
  return { actor: name || env.USER || env.USERNAME || 'unknown', adapter: 'cli' };
}
