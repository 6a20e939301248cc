/**
 * A bot's project for the management commands' tests: core's valid fixture plugin (alpha, and beta which
 * depends on it), the CLI's probe plugin (probe, mailer) and notifier (a required setting and a secret),
 * a fresh database, and a way to run `servicedeck` in-process against them that keeps every output.
 */
import type { ServiceRegistryManager } from '@servicedeck/core';
import { afterEach } from 'vitest';
import { createTestDatabase, type Dialect, type TestDatabase } from '../../../../tests/support/databases.js';
import type { FixtureHost } from '../../../core/test/support/host.js';
import { createContext, type Input } from '../../src/context.js';
import { run } from '../../src/main.js';
import { createManager } from '../../src/runtime.js';
import { createCliHost } from './host.js';
import { captureIo } from './io.js';

/** What one command printed, and its exit code. */
export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** The project, its database, and the commands run so far. */
export interface Deck {
  readonly root: string;
  readonly url: string;
  /** Runs `servicedeck -d <url> --log-format json …args` in the project's directory. */
  run(args: readonly string[], options?: { stdin?: string | Input; env?: NodeJS.ProcessEnv }): Promise<Ran>;
  /** Everything every command printed, standard output and error. */
  printed(): string;
}

/** Sets up a deck per test on `dialect`, cleaned up after each test. */
export function useDeck(dialect: Dialect): () => Promise<Deck> {
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await host?.cleanup();
    await testDb?.cleanup();
    host = undefined;
    testDb = undefined;
  });
  return async () => {
    host = await createCliHost(['sd-plugin-valid'], ['sd-plugin-probe', 'sd-plugin-notifier']);
    testDb = await createTestDatabase(dialect);
    const root = host.root;
    const url = testDb.url;
    const all: string[] = [];
    return {
      root,
      url,
      printed: () => all.join('\n'),
      run: async (args, options = {}) => {
        const io = captureIo(root, { NO_COLOR: '1', ...options.env }, options.stdin);
        const code = await run(['node', 'servicedeck', '-d', url, '--log-format', 'json', ...args], io);
        all.push(io.out(), io.err());
        return { code, out: io.out(), err: io.err() };
      },
    };
  };
}

/**
 * The settings a service's live instance is handed when it starts (plaintext, secrets included), read by a
 * manager of the test's own on the deck's database and key file.
 */
export async function liveConfig(
  d: Deck,
  id: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Record<string, unknown>> {
  const context = await createContext({ database: d.url }, captureIo(d.root, env), { logLevel: 'error' });
  const manager = createManager(context, { health: { schedule: false }, sync: { enabled: false } });
  await manager.start();
  try {
    return { ...(manager.getService(id) as unknown as { config: Record<string, unknown> }).config };
  } finally {
    await manager.shutdown();
  }
}

/**
 * Plays the bot for a moment: a manager that runs services (as the bot or `servicedeck up` does) starts on
 * the deck's database — applying the desired state and settings stored by the commands, and recording each
 * service's status — then stops.
 */
export async function runBot(d: Deck, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const manager = await startBot(d, env);
  await manager.shutdown();
}

/** Starts a manager that runs services on the deck's database, as the bot does; the caller shuts it down. */
export async function startBot(d: Deck, env: NodeJS.ProcessEnv = {}): Promise<ServiceRegistryManager> {
  const context = await createContext({ database: d.url }, captureIo(d.root, env), { logLevel: 'error' });
  const manager = createManager(context, { health: { schedule: false }, sync: { enabled: false } });
  await manager.start();
  return manager;
}
