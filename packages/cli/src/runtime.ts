/**
 * The manager every command runs: the same database, discovery and environment for `up` and `health`.
 */
import { ServiceRegistryManager, type ServiceRegistryManagerOptions } from '@servicedeck/core';
import type { CommandContext } from './context.js';

/** What a command changes in the manager it runs. */
export interface ManagerOverrides {
  /** Health monitoring (`health` turns the schedule off and checks on demand). */
  readonly health?: ServiceRegistryManagerOptions['health'];
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
    // Environment overrides (SERVICEDECK_<SERVICE>_<KEY>) and the master key come from the command's
    // environment, and the key file is found from its working directory.
    config: { env: io.env, cwd: io.cwd },
    logger,
    ...(overrides.health === undefined ? {} : { health: overrides.health }),
  });
}
