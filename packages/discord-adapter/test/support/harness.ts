/**
 * The adapter in gateway mode on a real manager, with Discord stood in for: send raw interactions, read
 * what the adapter sent back.
 */
import { createLogger } from '@servicedeck/core';
import { afterEach, expect } from 'vitest';
import type { Dialect } from '../../../../tests/support/databases.js';
import { type Deck, startDeck, type TestService } from '../../../../tests/support/deck.js';
import { DiscordAdapter, type DiscordAdapterOptions } from '../../src/index.js';
import { FakeDiscordApi, feed } from './discord.js';

/** A running adapter and what surrounds it. */
export interface Harness extends Deck {
  readonly api: FakeDiscordApi;
  readonly adapter: DiscordAdapter;
  /** Feeds a raw interaction and waits until the adapter answered it; returns the requests it made. */
  send(payload: Record<string, unknown>): Promise<{ method: string; path: string; body: unknown }[]>;
  /** A new adapter on the same manager and API, as after a restart of the bot. */
  restart(options?: DiscordAdapterOptions): Promise<DiscordAdapter>;
  /** The error lines logged so far. */
  errors(): string[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `cleanup` after the test, after the cleanups registered later (harnesses attached since). */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/**
 * Starts a manager on `dialect` and attaches an adapter to a client that never reaches Discord (with
 * `ready`, one whose stand-in login makes it ready).
 */
export async function startHarness(
  dialect: Dialect,
  options: DiscordAdapterOptions = {},
  services?: Record<string, TestService>,
  disabled: readonly string[] = [],
  /** Log the client in (a stand-in login): the adapter then starts alerts and the live status message. */
  ready = false,
): Promise<Harness> {
  return attachHarness(await startDeck(dialect, services, disabled), options, ready);
}

/** Attaches an adapter to the manager of `deck` (see {@link startHarness}); the deck is not shut down here. */
export async function attachHarness(
  deck: Deck,
  options: DiscordAdapterOptions = {},
  ready = false,
): Promise<Harness> {
  const api = new FakeDiscordApi();
  const logger = createLogger({ sink: (record) => deck.logs.push(record), level: 'debug' });
  const make = (opts: DiscordAdapterOptions) =>
    new DiscordAdapter(deck.manager, { commands: { register: false }, logger, ...opts });
  const connect = async (opts: DiscordAdapterOptions) => {
    const next = ready ? api.loggingInClient() : api.client();
    const attached = make(opts).attach(next);
    if (ready) {
      await next.login('test-token');
      await attached.idle();
    }
    return [next, attached] as const;
  };
  let [client, adapter] = await connect(options);
  cleanups.push(async () => {
    // Every request the adapter made must be valid for Discord.
    expect(api.problems).toEqual([]);
    await adapter.close();
    await client.destroy();
    await api.close();
  });
  return {
    ...deck,
    api,
    get adapter() {
      return adapter;
    },
    async send(payload) {
      const before = api.requests.length;
      feed(client, payload);
      await adapter.idle();
      return api.requests.slice(before);
    },
    errors() {
      return deck.logs
        .filter((r) => r.level === 'error')
        .map((r) => `${r.message} ${JSON.stringify(r.fields)}`);
    },
    async restart(next = options) {
      await adapter.close();
      await client.destroy();
      [client, adapter] = await connect(next);
      return adapter;
    },
  };
}
