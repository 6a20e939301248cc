/**
 * The dashboard on a real manager and database, driven through Fastify's `inject`, with helpers to get a
 * browser session (login token → cookie + CSRF token) or an API token.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, type LogRecord, ServiceRegistryManager } from '@servicedeck/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import { createTestDatabase, type Dialect } from '../../../../tests/support/databases.js';
import { botServices, type Deck, startDeck, type TestService } from '../../../../tests/support/deck.js';
import { SESSION_COOKIE, WebDashboard, type WebDashboardOptions } from '../../src/index.js';

/** Credentials for a request. */
export type Auth =
  | { readonly token: string }
  | { readonly cookie: string; readonly csrf?: string | null; readonly origin?: string }
  | undefined;

/** A running dashboard. */
export interface Web extends Deck {
  readonly web: WebDashboard;
  readonly logs: LogRecord[];
  /** Sends a request; JSON bodies are encoded and decoded. */
  request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    auth?: Auth,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse & { json<T = Record<string, unknown>>(): T }>;
  /** A browser session opened with a login token (manage). */
  session(): Promise<{ cookie: string; csrf: string }>;
  /** A new API token of `scope`. */
  token(scope: 'read' | 'manage', name?: string): Promise<{ token: string }>;
}

const open: WebDashboard[] = [];
/** Managers (and their files) started here rather than by `startDeck`, stopped after their dashboards. */
const ownDecks: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const web of open.splice(0)) await web.close();
  for (const stop of ownDecks.splice(0)) await stop();
});

/** Starts a manager on `dialect` with the dashboard over it (not listening; use `request`). */
export async function startWeb(
  dialect: Dialect,
  options: WebDashboardOptions = {},
  services?: Record<string, TestService>,
  deckOptions: { readonly sync?: boolean; readonly disabled?: readonly string[] } = {},
): Promise<Web> {
  const deck = await startDeck(dialect, services, deckOptions.disabled ?? [], {
    sync: deckOptions.sync ?? false,
  });
  return serve(deck, options);
}

/** A servicedeck whose services include module files, as a bot's own services found by a glob. */
export interface FileWeb extends Web {
  /** The directory the service files are in (the discovery root). */
  readonly root: string;
  /** Writes (or rewrites) a file in {@link root}. */
  write(name: string, source: string): Promise<string>;
}

/**
 * Starts a manager on `dialect` whose discovery finds `*.service.mjs` files in a directory of the test's
 * own, written from `files` before it starts, next to the {@link botServices} (registered in code) and the
 * built-in `process` service, with the dashboard over it.
 */
export async function startWebWithFiles(
  dialect: Dialect,
  files: Record<string, string>,
  options: WebDashboardOptions = {},
  deckOptions: { readonly sync?: boolean } = {},
): Promise<FileWeb> {
  const root = await mkdtemp(path.join(tmpdir(), 'servicedeck-web-files-'));
  const write = async (name: string, source: string): Promise<string> => {
    const file = path.join(root, name);
    await writeFile(file, source);
    return file;
  };
  for (const [name, source] of Object.entries(files)) await write(name, source);
  const db = await createTestDatabase(dialect);
  const logs: LogRecord[] = [];
  const manager = new ServiceRegistryManager({
    database: { url: db.url },
    discovery: { root, serviceGlobs: ['*.service.mjs'], scanDependencies: false },
    config: { cwd: db.dir, env: {} },
    health: { schedule: false, cacheTtlMs: 0 },
    sync: deckOptions.sync ? { pollIntervalMs: 100 } : { enabled: false },
    logger: createLogger({ sink: (record) => logs.push(record), level: 'debug' }),
  });
  const services = botServices();
  for (const service of Object.values(services)) manager.registerService(service);
  ownDecks.push(async () => {
    await manager.shutdown();
    await db.cleanup();
    await rm(root, { recursive: true, force: true });
  });
  await manager.start();
  return { ...(await serve({ manager, services, db, logs }, options)), root, write };
}

/** The dashboard over a started deck. */
async function serve(deck: Deck, options: WebDashboardOptions): Promise<Web> {
  const logs: LogRecord[] = [];
  const web = new WebDashboard(deck.manager, {
    logger: createLogger({ sink: (record) => logs.push(record), level: 'debug' }),
    ...options,
  });
  open.push(web);
  await web.start();
  const request: Web['request'] = async (method, url, auth, body, headers = {}) => {
    const all: Record<string, string> = { ...headers };
    if (auth && 'token' in auth) all.authorization = `Bearer ${auth.token}`;
    if (auth && 'cookie' in auth) {
      all.cookie = `${SESSION_COOKIE}=${auth.cookie}`;
      if (auth.csrf) all['x-csrf-token'] = auth.csrf;
      if (auth.origin) all.origin = auth.origin;
    }
    const response = await web.app.inject({
      method,
      url,
      headers: all,
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
    return response as LightMyRequestResponse & { json<T>(): T };
  };
  return {
    ...deck,
    web,
    logs,
    request,
    async session() {
      const login = await request('POST', '/api/session', undefined, {
        loginToken: await web.issueLoginToken(),
      });
      const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE)?.value;
      if (!cookie) throw new Error(`no session cookie: ${login.body}`);
      return { cookie, csrf: login.json<{ csrfToken: string }>().csrfToken };
    },
    async token(scope, name = `${scope}-robot`) {
      const { token } = await deck.manager.createApiToken({ actor: 'setup', adapter: 'test', name, scope });
      return { token };
    },
  };
}
