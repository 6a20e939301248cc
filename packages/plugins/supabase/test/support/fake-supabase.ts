/**
 * A Supabase project stand-in on 127.0.0.1: the API gateway's key check (401 "Invalid API key"), GoTrue's
 * `GET /auth/v1/health`, PostgREST's root `/rest/v1/` (the schema listing, refused to keys that are not
 * service_role) and a small table route (`GET /rest/v1/<table>?select=…`, schema by `Accept-Profile`),
 * with the real status codes and bodies, plus switches for a failing REST API, slow and hanging answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';

/** A JWT-shaped API key with a role claim (the fake compares keys, it does not verify signatures). */
export function jwtKey(role: 'anon' | 'service_role', ref: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'supabase', ref, role, iat: 1_700_000_000, exp: 2_000_000_000 })}.c2lnbmF0dXJl`;
}

/** How the fake answers. */
export type FakeSupabaseMode = 'normal' | 'rest-down' | 'hang';

/** A running fake project. */
export interface FakeSupabase {
  readonly server: TestServer;
  readonly url: string;
  readonly port: number;
  readonly anonKey: string;
  readonly serviceKey: string;
  mode: FakeSupabaseMode;
  /** Milliseconds before each answer. */
  delayMs: number;
  /** Method and path of each request, in order (`GET /auth/v1/health`). */
  log(): string[];
}

/** Rows of each table, per schema. */
export type Tables = Readonly<Record<string, Readonly<Record<string, readonly object[]>>>>;

const GOTRUE_VERSION = 'v2.170.0';

function gatewayRefusal(req: IncomingMessage, keys: readonly string[]): object | undefined {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const key = req.headers.apikey ?? url.searchParams.get('apikey');
  if (key === undefined || key === null || key === '') {
    return {
      message: 'No API key found in request',
      hint: 'No `apikey` request header or url param was found.',
    };
  }
  if (!keys.includes(String(key))) {
    return {
      message: 'Invalid API key',
      hint: 'Double check your Supabase `anon` or `service_role` API key.',
    };
  }
  return undefined;
}

/**
 * Starts a fake project. Its keys are made for `ref`, so two fakes have different keys.
 *
 * @param ref - the project ref, in its keys.
 * @param tables - rows per schema and table; the exposed schemas are the keys of this object.
 */
export async function startFakeSupabase(ref: string, tables: Tables): Promise<FakeSupabase> {
  const anonKey = jwtKey('anon', ref);
  const serviceKey = jwtKey('service_role', ref);
  const state: { mode: FakeSupabaseMode; delayMs: number } = { mode: 'normal', delayMs: 0 };
  const log: string[] = [];
  const exposed = Object.keys(tables);

  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refusal = gatewayRefusal(req, [anonKey, serviceKey]);
    if (refusal) {
      sendJson(res, 401, refusal);
      return;
    }
    if (url.pathname === '/auth/v1/health') {
      sendJson(res, 200, {
        version: GOTRUE_VERSION,
        name: 'GoTrue',
        description: 'GoTrue is a user registration and authentication API',
      });
      return;
    }
    if (!url.pathname.startsWith('/rest/v1/')) {
      sendJson(res, 404, { message: 'no Route matched with those values' });
      return;
    }
    if (state.mode === 'rest-down') {
      sendJson(res, 503, {
        code: 'PGRST002',
        details: null,
        hint: null,
        message: 'Could not query the database for the schema cache. Retrying.',
      });
      return;
    }
    const role = req.headers.apikey === serviceKey ? 'service_role' : 'anon';
    const profile = String(req.headers['accept-profile'] ?? 'public');
    const table = url.pathname.slice('/rest/v1/'.length);
    if (table === '' && role !== 'service_role') {
      sendJson(res, 401, {
        message: 'Invalid API key',
        hint: 'Only the `service_role` API key can be used for this endpoint.',
      });
      return;
    }
    if (!exposed.includes(profile)) {
      sendJson(res, 406, {
        code: 'PGRST106',
        details: null,
        hint: `Only the following schemas are exposed: ${exposed.join(', ')}`,
        message: `Invalid schema: ${profile}`,
      });
      return;
    }
    if (table === '') {
      sendJson(res, 200, { swagger: '2.0', info: { title: 'PostgREST API' }, paths: {} });
      return;
    }
    const rows = tables[profile]?.[table];
    if (rows === undefined) {
      sendJson(res, 404, {
        code: 'PGRST205',
        details: null,
        hint: null,
        message: `Could not find the table '${profile}.${table}' in the schema cache`,
      });
      return;
    }
    const columns = url.searchParams.get('select') ?? '*';
    const selected =
      columns === '*'
        ? rows
        : rows.map((row) =>
            Object.fromEntries(
              columns.split(',').map((column) => [column, (row as Record<string, unknown>)[column] ?? null]),
            ),
          );
    sendJson(res, 200, selected, { 'content-range': `0-${selected.length - 1}/*` });
  };

  const server = await startServer((req, res) => {
    log.push(`${req.method} ${new URL(req.url ?? '/', 'http://127.0.0.1').pathname}`);
    if (state.mode === 'hang') return;
    if (state.delayMs > 0) {
      const timer = setTimeout(() => answer(req, res), state.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    answer(req, res);
  });

  return {
    server,
    url: server.url,
    port: server.port,
    anonKey,
    serviceKey,
    get mode() {
      return state.mode;
    },
    set mode(mode: FakeSupabaseMode) {
      state.mode = mode;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    log: () => [...log],
  };
}
