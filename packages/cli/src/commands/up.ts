/**
 * `servicedeck up`: the main job. Discovers services, syncs the catalog, starts what is enabled, prints
 * the catalog, and runs until Ctrl-C or SIGTERM, then stops services in reverse dependency order.
 */
import { redactUrl, ServiceRegistryManager } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { renderCatalog } from '../output/catalog.js';

/** Options of `up`. */
export interface UpOptions {
  /** Resolves when the process should stop (default: the first SIGINT or SIGTERM). */
  readonly until?: Promise<string>;
}

/** Resolves with the signal's name on the first SIGINT or SIGTERM. */
export function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    // Services need not hold the event loop open (an embedded SQLite holds no handle): this does.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const onSignal = (signal: NodeJS.Signals): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // A second signal while stopping forces the exit.
      const force = (): void => process.exit(130);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Runs the main job; returns the exit code. */
export async function up(context: CommandContext, options: UpOptions = {}): Promise<number> {
  const { settings, logger, style, print } = context;
  const until = options.until ?? waitForSignal();
  const manager = new ServiceRegistryManager({
    database: { url: settings.database, cwd: context.io.cwd, logger },
    discovery: { root: settings.root, plugins: settings.plugins, serviceGlobs: settings.services },
    logger,
  });
  logger.info('starting servicedeck', { database: redactUrl(settings.database), root: settings.root });
  await manager.start();
  const services = await manager.listServices();
  print(renderCatalog(services, style));
  if (manager.problems.length > 0) {
    print(`\n${style('yellow', `Skipped (${manager.problems.length}):`)}`);
    for (const problem of manager.problems)
      print(`  ${style('yellow', '!')} ${problem.error.code}: ${problem.error.message}`);
  }
  const running = services.filter((s) => s.running).length;
  print(
    `\nservicedeck is running: ${services.length} service${services.length === 1 ? '' : 's'}, ${running} started. Press Ctrl-C to stop.`,
  );
  const signal = await until;
  logger.info('stopping servicedeck', { signal });
  await manager.shutdown();
  print('servicedeck stopped.');
  return EXIT.ok;
}
