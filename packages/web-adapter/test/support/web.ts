/**
 * The dashboard on a real manager and database, driven through Fastify's `inject`, with helpers to get a
 * browser session (login token → cookie + CSRF token) or an API token.
 */
import { createLogger, type LogRecord } from '@servicedeck/core';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import type { Dialect } from '../../../../tests/support/databases.js';
import { type Deck, startDeck, type TestService } from '../../../../tests/support/deck.js';
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
afterEach(async () => {
  for (const web of open.splice(0)) await web.close();
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
