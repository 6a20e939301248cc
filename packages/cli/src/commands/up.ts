/**
 * `servicedeck up`: the main job. Discovers services, syncs the catalog, starts what is enabled, shows the
 * catalog and follows every status change live, and runs until Ctrl-C or SIGTERM, then stops services in
 * reverse dependency order.
 */
import { redactUrl } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { createManager } from '../runtime.js';
import { LiveView, type LiveViewOptions } from './live-view.js';

/** Options of `up`. */
export interface UpOptions {
  /** Resolves when the process should stop (default: the first SIGINT or SIGTERM). */
  readonly until?: Promise<string>;
  /** How the live status is shown (tests pin the clock and the throttle). */
  readonly live?: LiveViewOptions;
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
  const { settings, logger, print } = context;
  const until = options.until ?? waitForSignal();
  const manager = createManager(context);
  // Listening from the start, so the first frame knows the checks that ran while services started.
  const live = new LiveView(manager, context, options.live);
  logger.info('starting servicedeck', { database: redactUrl(settings.database), root: settings.root });
  try {
    await manager.start();
  } catch (error) {
    await live.stop();
    throw error;
  }
  await live.show();
  const signal = await until;
  await live.stop();
  logger.info('stopping servicedeck', { signal });
  await manager.shutdown();
  print('servicedeck stopped.');
  return EXIT.ok;
}
