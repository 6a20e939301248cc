/**
 * The web adapter: a Fastify 5 server with the HTTP API, the live event stream, Prometheus metrics and
 * the OpenAPI document, secured by sessions (opened with a one-time login token) and API tokens.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import cookie from '@fastify/cookie';
import {
  type Actor,
  createLogger,
  describeError,
  type Logger,
  type ServiceRegistryManager,
} from '@servicedeck/core';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  type AccessLevel,
  type Identity,
  RateLimiter,
  type Session,
  SessionStore,
  sameSecret,
} from './auth.js';
import { ERROR_SCHEMA, errorResponse, type FieldProblem, HttpError } from './errors.js';
import { EventJournal, type LiveEventType } from './events.js';
import { METRICS_CONTENT_TYPE, Metrics } from './metrics.js';
import { accessLevelOf, type DiscordGrant, DiscordOAuth, type DiscordOAuthOptions } from './oauth.js';
import { openApiDocument, type RouteDoc } from './openapi.js';
import { type CachedBody, type RouteAccess, registerApiRoutes } from './routes.js';
import { SESSION } from './schemas.js';

/** The name of the session cookie. */
export const SESSION_COOKIE = 'servicedeck_session';

/** Options of a {@link WebDashboard}. */
export interface WebDashboardOptions {
  /** Interface to listen on (default 127.0.0.1). Without OAuth, only loopback addresses are allowed. */
  readonly host?: string;
  /** Port (default 4600; 0 picks a free one). */
  readonly port?: number;
  /** The URL people reach the dashboard at (default `http://<host>:<port>`); https makes cookies Secure. */
  readonly publicUrl?: string;
  /** Who sessions opened with {@link WebDashboard.issueLoginToken}'s default tokens act as (default `owner`). */
  readonly ownerName?: string;
  /** Session lifetime without use, in milliseconds (default 12 hours). */
  readonly sessionTtlMs?: number;
  /** How long a login token stays valid, in milliseconds (default 15 minutes). */
  readonly loginTokenTtlMs?: number;
  /** Requests per minute per caller (default 1 200), management actions (30), checks on demand (20). */
  readonly rateLimits?: { readonly api?: number; readonly manage?: number; readonly check?: number };
  /** Serve `/metrics` without authentication (default false: a read token or session is needed). */
  readonly publicMetrics?: boolean;
  /** Events kept for clients that reconnect (default 10 000). */
  readonly eventCapacity?: number;
  /** The built web UI's directory (default: the package's `dist/ui`). */
  readonly uiDir?: string;
  /**
   * Discord login (OAuth2 with PKCE) for the members of a guild, with the same readers and managers as the
   * Discord adapter. Needs `publicUrl` (the redirect URI is `<publicUrl>/auth/discord/callback`); with it,
   * the dashboard may listen on other interfaces than loopback.
   */
  readonly oauth?: DiscordOAuthOptions;
  /** Trust `X-Forwarded-For` from a reverse proxy (default false). */
  readonly trustProxy?: boolean;
  readonly logger?: Logger;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * How long a checked API token is trusted without asking the database again. Revoking through this
 * dashboard takes effect at once; through another process (the CLI), within this time.
 */
const TOKEN_CACHE_MS = 2_000;

/** Where the build puts the web UI: `dist/ui` next to `src` and `dist`. */
const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Whether `host` is a loopback address or name. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/** Fastify's validation errors as field problems (JSON Pointers into the request). */
function validationFields(error: FastifyError): FieldProblem[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((problem) => {
    const params = problem.params as { missingProperty?: string; additionalProperty?: string };
    const extra = params.missingProperty ?? params.additionalProperty;
    const path = `/${where}${problem.instancePath}${extra ? `/${extra}` : ''}`;
    const message =
      problem.keyword === 'additionalProperties'
        ? `${extra} is not a known field`
        : problem.keyword === 'required'
          ? `${extra} is required`
          : (problem.message ?? 'is invalid');
    return { path, message };
  });
}

/** servicedeck's web dashboard and HTTP API. */
export class WebDashboard {
  /** The Fastify instance (for `inject` in tests, or to add routes). */
  public readonly app: FastifyInstance;
  public readonly journal: EventJournal;
  public readonly metrics: Metrics;
  private readonly sessions: SessionStore;
  private readonly limits: Record<'api' | 'manage' | 'check' | 'login', RateLimiter>;
  private readonly logger: Logger;
  private readonly routes: RouteDoc[] = [];
  private readonly listCache = new Map<string, CachedBody>();
  private readonly invalidate = (): void => this.listCache.clear();
  private readonly assets = new Map<string, Buffer>();
  /** API tokens checked recently: a token is looked up in the database at most once per TTL. */
  private readonly tokenCache = new Map<string, { identity: Identity; until: number }>();
  private started = false;
  /** Mounted in a bot's server (which listens and closes itself). */
  private readonly mounted: boolean = false;
  private readonly oauth: DiscordOAuth | undefined;

  public constructor(
    private readonly manager: ServiceRegistryManager,
    private readonly options: WebDashboardOptions = {},
    host?: FastifyInstance,
  ) {
    this.logger = options.logger ?? createLogger({ bindings: { adapter: 'web' } });
    if (options.oauth) {
      if (!options.publicUrl) {
        throw new HttpError(
          500,
          'SD_ERR_INTERNAL',
          'Discord login needs the URL people reach the dashboard at (publicUrl), for its redirect URI.',
          'Set SERVICEDECK_WEB_PUBLIC_URL, and add <publicUrl>/auth/discord/callback as a redirect in the Developer Portal (OAuth2).',
        );
      }
      this.oauth = new DiscordOAuth(
        options.oauth,
        `${options.publicUrl.replace(/\/$/, '')}/auth/discord/callback`,
      );
    }
    this.sessions = new SessionStore(options.sessionTtlMs ?? 12 * 3_600_000);
    this.limits = {
      api: new RateLimiter(options.rateLimits?.api ?? 1_200, 60_000),
      manage: new RateLimiter(options.rateLimits?.manage ?? 30, 60_000),
      check: new RateLimiter(options.rateLimits?.check ?? 20, 60_000),
      login: new RateLimiter(10, 60_000),
    };
    this.metrics = new Metrics(manager);
    this.journal = new EventJournal(manager, {
      logger: this.logger,
      // Reloads are counted from the audit entries the live stream reads (failed ones change nothing).
      onAudit: (entry) => this.metrics.observeAudit(entry),
      ...(options.eventCapacity === undefined ? {} : { capacity: options.eventCapacity }),
    });
    if (host) {
      // Mounted in the bot's own server: everything lives in an encapsulated plugin, so the dashboard's
      // hooks and error handling apply to its routes only.
      this.app = host;
      this.mounted = true;
      void host.register(async (scope) => this.setup(scope, false));
    } else {
      this.app = Fastify({
        logger: false,
        trustProxy: options.trustProxy ?? false,
        bodyLimit: 256 * 1024,
        // The router's own refusals (a malformed URL, an over-long path segment) get the one error body too.
        frameworkErrors: (error, request, reply) => {
          this.fail(error as FastifyError, request, reply);
        },
        ajv: {
          customOptions: {
            removeAdditional: false,
            allErrors: true,
            coerceTypes: 'array',
            useDefaults: true,
          },
        },
      });
      this.setup(this.app, true);
    }
  }

  /**
   * Mounts the dashboard in a bot's own Fastify server, at its root (the web UI asks for `/api/…` and
   * `/assets/…`): the bot's server listens; call {@link start} before it does. Requests are validated with
   * that server's own Ajv settings (Fastify's default drops unknown fields instead of refusing them).
   */
  public static mount(
    server: FastifyInstance,
    manager: ServiceRegistryManager,
    options: WebDashboardOptions = {},
  ): WebDashboard {
    return new WebDashboard(manager, options, server);
  }

  /** Registers the hooks and routes on `scope` (the dashboard's own server, or its plugin in a bot's). */
  private setup(scope: FastifyInstance, own: boolean): void {
    scope.addHook('onRoute', (route) => {
      if (!route.schema || route.url.startsWith('*')) return;
      const access = (route.config as { servicedeck?: RouteAccess } | undefined)?.servicedeck?.access;
      for (const method of [route.method].flat()) {
        if (method === 'HEAD') continue;
        this.routes.push({
          method,
          url: route.url,
          schema: { ...(route.schema as RouteDoc['schema']), ...(access ? { access } : {}) },
        });
      }
    });
    void scope.register(cookie);
    scope.addHook('onRequest', async (_request, reply) => {
      reply.headers(SECURITY_HEADERS);
    });
    scope.addHook('preHandler', (request, reply) => this.guard(request, reply));
    scope.setErrorHandler((error: FastifyError, request, reply) => this.fail(error, request, reply));
    if (own) {
      scope.setNotFoundHandler((request, reply) =>
        this.fail(
          new HttpError(
            404,
            'SD_ERR_ROUTE_NOT_FOUND',
            `No route ${request.method} ${request.url.split('?')[0]}.`,
            'See /api/openapi.json for the routes.',
          ),
          request,
          reply,
        ),
      );
    }
    this.registerRoutes(scope);
  }

  /** Starts following the manager's events (call before serving). */
  public async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.journal.start();
    this.metrics.start();
    for (const event of ['statusChange', 'check', 'change'] as const)
      this.manager.events.on(event, this.invalidate);
    if (!this.mounted) await this.app.ready();
  }

  /**
   * Starts and listens. Without OAuth the dashboard listens on loopback only: a login token printed by the
   * host opens a session.
   *
   * @returns the URL it listens on.
   */
  public async listen(): Promise<string> {
    if (this.mounted)
      throw new Error("A mounted dashboard is served by the bot's own server: call listen() on that.");
    const host = this.options.host ?? '127.0.0.1';
    if (!isLoopback(host) && !this.oauth) {
      throw new HttpError(
        500,
        'SD_ERR_INTERNAL',
        `The dashboard may listen on ${host} only with Discord login (OAuth) configured.`,
        'Listen on 127.0.0.1 (the default) and reach it through an SSH tunnel or a reverse proxy on the same host.',
      );
    }
    await this.start();
    await this.app.listen({ host, port: this.options.port ?? 4600 });
    const address = this.app.server.address();
    const port = typeof address === 'object' && address ? address.port : (this.options.port ?? 4600);
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /**
   * A one-time login token (stored hashed in the database, so `servicedeck web login` in another process
   * makes them too); open `<url>/login?token=<token>` to get a session as `actor`.
   */
  public issueLoginToken(
    actor: Actor = { actor: this.options.ownerName ?? 'owner', adapter: 'web' },
  ): Promise<string> {
    return this.manager.createLoginToken(actor);
  }

  /** Forgets the checked API token with this id (it was revoked here). */
  public forgetToken(tokenId: number): void {
    for (const [token, entry] of this.tokenCache)
      if (entry.identity.tokenId === tokenId) this.tokenCache.delete(token);
  }

  /** Ends every session of a user whose access was removed; returns how many. */
  public endSessionsOf(actor: string): number {
    return this.sessions.closeAllOf(actor);
  }

  /** Stops serving, closes the live streams, stops following the manager. */
  public async close(): Promise<void> {
    for (const event of ['statusChange', 'check', 'change'] as const)
      this.manager.events.off(event, this.invalidate);
    await this.journal.stop();
    this.metrics.stop();
    if (!this.mounted) await this.app.close();
  }

  /** The OpenAPI 3.1 document of the routes. */
  public openApi(): Record<string, unknown> {
    return openApiDocument(this.routes, this.options.publicUrl);
  }

  // ── Requests ────────────────────────────────────────────────────────────────────────────────────────

  private async identify(request: FastifyRequest): Promise<Identity | undefined> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const token = match?.[1];
      const now = Date.now();
      const known = token === undefined ? undefined : this.tokenCache.get(token);
      if (known && known.until > now) return known.identity;
      const info = token === undefined ? undefined : await this.manager.authenticateApiToken(token);
      if (!info) {
        throw new HttpError(
          401,
          'SD_ERR_UNAUTHENTICATED',
          'The API token is not valid (unknown, revoked, or not of the form "Bearer sdk_…").',
          'Create a token on the dashboard (API tokens) and send it as "Authorization: Bearer sdk_…".',
        );
      }
      const identity: Identity = {
        actor: `token:${info.name}`,
        level: info.scope,
        via: 'token',
        tokenId: info.id,
      };
      if (this.tokenCache.size > 10_000) this.tokenCache.clear();
      this.tokenCache.set(token as string, { identity, until: now + TOKEN_CACHE_MS });
      return identity;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!session) return undefined;
    if (session.discord && this.oauth) await this.recheck(session.id, session.discord, session);
    return {
      actor: session.actor,
      level: session.level,
      via: 'session',
      csrfToken: session.csrfToken,
      sessionId: session.id,
    };
  }

  /** Checks a Discord user's access again once it is older than `recheckMs`; ends the session if it is gone. */
  private async recheck(
    id: string,
    discord: NonNullable<Session['discord']>,
    session: Session,
  ): Promise<void> {
    const oauth = this.oauth as DiscordOAuth;
    const now = Date.now();
    if (now - discord.checkedAt < (oauth.options.recheckMs ?? 5 * 60_000)) return;
    let level: AccessLevel | null;
    try {
      level = accessLevelOf(await oauth.membership(discord.grant), oauth.options);
    } catch (error) {
      // Discord unreachable: the session keeps its level and is checked again on the next request.
      this.logger.warn('could not check a session with Discord', {
        actor: session.actor,
        error: describeError(error),
      });
      return;
    }
    discord.checkedAt = now;
    if (level === null) {
      this.sessions.close(id);
      this.logger.info('dashboard session ended: access removed', { actor: session.actor });
      throw new HttpError(
        401,
        'SD_ERR_UNAUTHENTICATED',
        'Your access to this dashboard was removed, so your session ended.',
        'Ask a server admin if this is a mistake.',
        [],
        {},
        { discordLogin: true },
      );
    }
    session.level = level;
  }

  private async guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const rule = request.routeOptions.config.servicedeck;
    if (!rule) return;
    // Public routes (the UI's pages, the login, the document) serve anyone: a session that just ended or a
    // bad token there makes the caller anonymous, and the page it loads asks it to log in.
    const identity =
      rule.access === 'public'
        ? await this.identify(request).catch((error: unknown) => {
            if (error instanceof HttpError && error.status === 401) return undefined;
            throw error;
          })
        : await this.identify(request);
    if (identity) request.identity = identity;
    this.limit('api', identity?.actor ?? `ip:${request.ip}`);
    if (rule.access === 'public') return;
    if (!identity) {
      throw new HttpError(
        401,
        'SD_ERR_UNAUTHENTICATED',
        'Log in first: this needs a session or an API token.',
        this.oauth
          ? 'Log in with Discord at /auth/discord/login, or send "Authorization: Bearer sdk_…".'
          : 'Open the login link servicedeck printed at start, or send "Authorization: Bearer sdk_…".',
        [],
        {},
        // How a browser may log in here, for the dashboard's log-in page.
        { discordLogin: this.oauth !== undefined },
      );
    }
    if (identity.via === 'session' && !SAFE_METHODS.has(request.method)) this.checkCsrf(request, identity);
    if (rule.access === 'manage' && identity.level !== 'manage') {
      const reason = 'Managing services needs the manage permission (a manage token, or a manager session).';
      await this.manager
        .recordRefusal({
          actor: identity.actor,
          adapter: 'web',
          origin: request.ip,
          action: rule.action ?? `${request.method} ${request.routeOptions.url}`,
          serviceId: (request.params as { id?: string } | undefined)?.id ?? null,
          reason,
        })
        .catch((error: unknown) => this.logger.warn('refusal not audited', { error: describeError(error) }));
      throw new HttpError(
        403,
        'SD_ERR_FORBIDDEN',
        reason,
        'Ask the bot owner for a manage token or manager access.',
      );
    }
    if (rule.bucket) this.limit(rule.bucket, identity.actor);
    void reply;
  }

  private checkCsrf(request: FastifyRequest, identity: Identity): void {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      // The dashboard's own origin: the host asked for, or the public URL a reverse proxy serves it at.
      const publicHost = this.options.publicUrl ? new URL(this.options.publicUrl).host : undefined;
      if (host === undefined || (host !== request.headers.host && host !== publicHost)) {
        throw new HttpError(
          403,
          'SD_ERR_CSRF',
          `Requests from ${origin} may not change anything here.`,
          'Use the dashboard itself.',
        );
      }
    }
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !identity.csrfToken || !sameSecret(sent, identity.csrfToken)) {
      throw new HttpError(
        403,
        'SD_ERR_CSRF',
        'The request has no valid CSRF token.',
        'Send the csrfToken of GET /api/session in the x-csrf-token header.',
      );
    }
  }

  private limit(bucket: keyof WebDashboard['limits'], key: string): void {
    const waitMs = this.limits[bucket].take(key);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new HttpError(
        429,
        'SD_ERR_RATE_LIMITED',
        bucket === 'api'
          ? 'Too many requests.'
          : `Too many ${bucket === 'check' ? 'checks' : bucket === 'login' ? 'login attempts' : 'changes'} in a minute.`,
        `Try again in ${seconds} s.`,
        [],
        { 'retry-after': String(seconds) },
      );
    }
  }

  private fail(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    let failure: unknown = error;
    const fastifyError = error as FastifyError;
    if (fastifyError.validation) {
      const fields = validationFields(fastifyError);
      failure = new HttpError(
        400,
        'SD_ERR_REQUEST_INVALID',
        `The request is invalid: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}.`,
        'Fix the fields listed and send it again; see /api/openapi.json.',
        fields,
      );
    } else if (
      !(error instanceof HttpError) &&
      typeof fastifyError.statusCode === 'number' &&
      fastifyError.statusCode < 500
    ) {
      const status = fastifyError.statusCode;
      const message =
        status === 415
          ? 'The body must be JSON, sent with content-type: application/json.'
          : status === 413
            ? 'The body is too large (at most 256 KiB).'
            : status === 414 || fastifyError.code === 'FST_ERR_MAX_PARAM_LENGTH'
              ? 'A part of the path is too long (at most 100 characters).'
              : fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
                ? `The body is not valid JSON: ${error.message}.`
                : error.message;
      failure = new HttpError(
        status,
        status === 404 ? 'SD_ERR_ROUTE_NOT_FOUND' : 'SD_ERR_REQUEST_INVALID',
        message,
        'See /api/openapi.json for what each route accepts.',
      );
    }
    const { status, body, headers } = errorResponse(failure);
    if (status >= 500) {
      this.logger.error('request failed', {
        method: request.method,
        url: request.url.split('?')[0],
        error: describeError(error),
      });
    }
    return reply
      .code(status)
      .headers({ ...SECURITY_HEADERS, ...headers })
      .type('application/json; charset=utf-8')
      .send(body);
  }

  // ── Routes ──────────────────────────────────────────────────────────────────────────────────────────

  private sessionBody(identity: Identity): Record<string, unknown> {
    return {
      actor: identity.actor,
      level: identity.level,
      via: identity.via,
      csrfToken: identity.csrfToken ?? null,
    };
  }

  private setSessionCookie(reply: FastifyReply, id: string): void {
    reply.setCookie(SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: (this.options.publicUrl ?? '').startsWith('https:'),
      maxAge: Math.floor((this.options.sessionTtlMs ?? 12 * 3_600_000) / 1000),
    });
  }

  private async openSession(request: FastifyRequest, reply: FastifyReply, token: string): Promise<Identity> {
    this.limit('login', `ip:${request.ip}`);
    const login = await this.manager.redeemLoginToken(token, this.options.loginTokenTtlMs ?? 15 * 60_000);
    if (!login) {
      throw new HttpError(
        401,
        'SD_ERR_UNAUTHENTICATED',
        'The login token is not valid: it was used already, has expired, or is mistyped.',
        'Get a new link with servicedeck web login on the host (or restart servicedeck up).',
      );
    }
    const session = this.sessions.open(login.createdBy, 'manage' as AccessLevel);
    this.setSessionCookie(reply, session.id);
    this.logger.info('dashboard session opened', { actor: login.createdBy, origin: request.ip });
    return {
      actor: session.actor,
      level: session.level,
      via: 'session',
      csrfToken: session.csrfToken,
      sessionId: session.id,
    };
  }

  private registerOAuthRoutes(app: FastifyInstance, oauth: DiscordOAuth): void {
    const stateCookie = 'servicedeck_oauth_state';
    const secure = (this.options.publicUrl ?? '').startsWith('https:');
    app.get(
      '/auth/discord/login',
      {
        config: { servicedeck: { access: 'public' } },
        schema: {
          summary: 'Log in with Discord',
          description: 'Redirects to Discord (OAuth2 authorization code with state and PKCE).',
          tags: ['session'],
          response: { 302: { type: 'null' }, 429: ERROR_SCHEMA },
        },
      },
      async (request, reply) => {
        this.limit('login', `ip:${request.ip}`);
        const { url, state } = oauth.begin();
        // Lax: the cookie must come back on Discord's top-level redirect to the callback.
        reply.setCookie(stateCookie, state, {
          path: '/auth/discord',
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: 600,
        });
        return reply.code(302).header('location', url).send();
      },
    );
    app.get(
      '/auth/discord/callback',
      {
        config: { servicedeck: { access: 'public' } },
        schema: {
          summary: 'Discord login callback',
          tags: ['session'],
          querystring: {
            type: 'object',
            additionalProperties: true,
            properties: {
              code: { type: 'string', maxLength: 200 },
              state: { type: 'string', maxLength: 200 },
              error: { type: 'string', maxLength: 200 },
            },
          },
          response: {
            303: { type: 'null' },
            400: ERROR_SCHEMA,
            401: ERROR_SCHEMA,
            403: ERROR_SCHEMA,
            429: ERROR_SCHEMA,
          },
        },
      },
      async (request, reply) => {
        this.limit('login', `ip:${request.ip}`);
        const query = request.query as { code?: string; state?: string; error?: string };
        const cookieState = request.cookies[stateCookie];
        reply.clearCookie(stateCookie, { path: '/auth/discord' });
        if (query.error) {
          throw new HttpError(
            401,
            'SD_ERR_UNAUTHENTICATED',
            `Discord did not log you in (${query.error}).`,
            'Try again from the dashboard.',
          );
        }
        const verifier =
          query.state && cookieState && sameSecret(query.state, cookieState)
            ? oauth.takeVerifier(query.state)
            : undefined;
        if (!query.code || !verifier) {
          throw new HttpError(
            400,
            'SD_ERR_REQUEST_INVALID',
            'This login link is not valid here: it was used already, expired, or was started in another browser.',
            'Start again at /auth/discord/login.',
          );
        }
        let level: AccessLevel | null;
        let actor: string;
        let grant: DiscordGrant;
        try {
          grant = await oauth.exchange(query.code, verifier);
          const member = await oauth.membership(grant);
          actor = member.userId;
          level = accessLevelOf(member, oauth.options);
        } catch (error) {
          this.logger.warn('Discord login failed', { error: describeError(error) });
          throw new HttpError(
            401,
            'SD_ERR_UNAUTHENTICATED',
            'Discord could not confirm who you are.',
            'Try again in a moment; if it keeps failing, the server log says why.',
          );
        }
        if (level === null) {
          const reason =
            'Not a member with access to this dashboard (Manage Server, or a readers or managers list).';
          await this.manager
            .recordRefusal({ actor, adapter: 'web', origin: request.ip, action: 'login', reason })
            .catch((error: unknown) =>
              this.logger.warn('refusal not audited', { error: describeError(error) }),
            );
          throw new HttpError(
            403,
            'SD_ERR_FORBIDDEN',
            `You may not use this dashboard: ${reason}`,
            'Ask a server admin for access.',
          );
        }
        const session = this.sessions.open(actor, level, Date.now(), grant);
        this.setSessionCookie(reply, session.id);
        this.logger.info('dashboard session opened', { actor, level, via: 'discord', origin: request.ip });
        return reply.code(303).header('location', '/').send();
      },
    );
  }

  private registerRoutes(app: FastifyInstance): void {
    app.get(
      '/api/session',
      {
        config: { servicedeck: { access: 'read' } },
        schema: {
          summary: 'Who am I',
          description:
            'The caller, its access, and (for a browser session) the CSRF token to send with changes.',
          tags: ['session'],
          response: { 200: SESSION, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      async (request) => this.sessionBody(request.identity as Identity),
    );
    app.post(
      '/api/session',
      {
        config: { servicedeck: { access: 'public' } },
        schema: {
          summary: 'Log in with a login token',
          description: 'Redeems a one-time login token for a session cookie.',
          tags: ['session'],
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['loginToken'],
            properties: { loginToken: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: { 200: SESSION, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      async (request, reply) =>
        this.sessionBody(
          await this.openSession(request, reply, (request.body as { loginToken: string }).loginToken),
        ),
    );
    app.delete(
      '/api/session',
      {
        config: { servicedeck: { access: 'read' } },
        schema: {
          summary: 'Log out',
          tags: ['session'],
          response: { 204: { type: 'null' }, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      async (request, reply) => {
        const identity = request.identity as Identity;
        if (identity.sessionId) this.sessions.close(identity.sessionId);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      },
    );
    app.get(
      '/login',
      {
        config: { servicedeck: { access: 'public' } },
        schema: {
          summary: 'Log in with the printed link',
          description:
            'Redeems the login token of the link servicedeck printed and redirects to the dashboard.',
          tags: ['session'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['token'],
            properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: { 303: { type: 'null' }, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      async (request, reply) => {
        await this.openSession(request, reply, (request.query as { token: string }).token);
        return reply.code(303).header('location', '/').send();
      },
    );

    if (this.oauth) this.registerOAuthRoutes(app, this.oauth);

    registerApiRoutes(app, {
      manager: this.manager,
      forgetToken: (tokenId) => this.forgetToken(tokenId),
      listBody: async (key, compute) => {
        const cached = this.listCache.get(key);
        if (cached) return cached;
        const value = await compute();
        const body = JSON.stringify(value);
        let gzipped: Buffer | undefined;
        const entry: CachedBody = {
          body,
          etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
          gzipped: () => {
            gzipped ??= gzipSync(body, { level: 6 });
            return gzipped;
          },
        };
        if (this.listCache.size > 100) this.listCache.clear();
        this.listCache.set(key, entry);
        return entry;
      },
    });

    app.get(
      '/api/events',
      {
        config: { servicedeck: { access: 'read' } },
        schema: {
          summary: 'Live events (Server-Sent Events)',
          description:
            'status, check, change (toggles, settings and reloads, from any process) and audit events. Reconnect with Last-Event-ID (or ?lastEventId=) to get what was missed; a reset event means: reload the state.',
          tags: ['events'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              types: {
                type: 'string',
                pattern: '^(status|check|change|audit)(,(status|check|change|audit))*$',
              },
              lastEventId: { type: 'string', maxLength: 64 },
            },
          },
          produces: ['text/event-stream'],
          response: { 200: { type: 'string' }, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      (request, reply) => {
        const query = request.query as { types?: string; lastEventId?: string };
        const types = new Set((query.types ?? 'status,check,change,audit').split(',') as LiveEventType[]);
        const header = request.headers['last-event-id'];
        const lastEventId = typeof header === 'string' ? header : query.lastEventId;
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          ...SECURITY_HEADERS,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        this.journal.follow(response, lastEventId, types);
      },
    );

    app.get(
      '/metrics',
      {
        config: { servicedeck: { access: this.options.publicMetrics ? 'public' : 'read' } },
        schema: {
          summary: 'Prometheus metrics',
          description:
            'Per-service status and enabled state, check latencies and outcomes, toggles, config changes, reloads, event-loop delay.',
          tags: ['metrics'],
          produces: [METRICS_CONTENT_TYPE],
          response: { 200: { type: 'string' }, 401: ERROR_SCHEMA, 429: ERROR_SCHEMA },
        },
      },
      async (_request, reply) => reply.type(METRICS_CONTENT_TYPE).send(await this.metrics.render()),
    );

    // The web UI: its files, and index.html for the app's own paths (/services/github…).
    const ui = async (file: string, reply: FastifyReply): Promise<FastifyReply> => {
      const root = this.options.uiDir ?? DEFAULT_UI_DIR;
      const full = path.resolve(root, file);
      if (!full.startsWith(path.resolve(root) + path.sep)) {
        throw new HttpError(404, 'SD_ERR_ROUTE_NOT_FOUND', `No file ${file}.`);
      }
      let content = this.assets.get(full);
      if (!content) {
        try {
          content = await readFile(full);
        } catch {
          if (file === 'index.html') {
            throw new HttpError(
              503,
              'SD_ERR_INTERNAL',
              "The dashboard's web UI is not built, so only the API is served.",
              'Build it with pnpm build (or npm start, which builds everything) and restart.',
            );
          }
          throw new HttpError(404, 'SD_ERR_ROUTE_NOT_FOUND', `No file ${file}.`);
        }
        this.assets.set(full, content);
      }
      return reply
        .type(CONTENT_TYPES[path.extname(full)] ?? 'application/octet-stream')
        .header('cache-control', file === 'index.html' ? 'no-cache' : 'public, max-age=3600')
        .send(content);
    };
    app.get('/assets/*', { config: { servicedeck: { access: 'public' } } }, (request, reply) =>
      ui(`assets/${(request.params as { '*': string })['*']}`, reply),
    );
    for (const page of ['/', '/services', '/services/*', '/graph', '/audit', '/tokens', '/login-required']) {
      app.get(page, { config: { servicedeck: { access: 'public' } } }, (_request, reply) =>
        ui('index.html', reply),
      );
    }

    app.get(
      '/api/openapi.json',
      {
        config: { servicedeck: { access: 'public' } },
        schema: {
          summary: 'This document',
          tags: ['meta'],
          response: { 200: { type: 'object', additionalProperties: true } },
        },
      },
      async () => this.openApi(),
    );
  }
}
