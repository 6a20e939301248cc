/**
 * The JSON routes: one per facade operation, each with its request and response schemas and the access
 * it needs. Handlers call only the `ServiceRegistryManager` facade.
 */
import type {
  Actor,
  AuditFilter,
  AuditResult,
  HealthCheckRecord,
  JsonObject,
  ReloadResult,
  ServiceRegistryManager,
  ServiceSummary,
} from '@servicedeck/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessLevel, Identity } from './auth.js';
import { ERROR_SCHEMA, HttpError, webHint } from './errors.js';
import { auditData } from './events.js';
import {
  AUDIT_ENTRY,
  CONFIG_UPDATE_RESULT,
  CONFIG_VERSION,
  CONFIG_VIEW,
  HEALTH_RECORD,
  INSTANCE,
  LIFECYCLE_RESULT,
  RELOAD_RESULT,
  SERVICE,
  SERVICE_DETAIL,
  SERVICE_ID,
  TOKEN_INFO,
  UPTIME,
} from './schemas.js';

/** What a route needs and is limited by; read by the request hooks. */
export interface RouteAccess {
  /** Who may call it (`public`: anyone, e.g. the login). */
  readonly access: AccessLevel | 'public';
  /** The audit action a refusal is recorded as. */
  readonly action?: string;
  /** A stricter rate limit bucket than the general one. */
  readonly bucket?: 'manage' | 'check';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    servicedeck?: RouteAccess;
  }
  interface FastifyRequest {
    identity?: Identity;
  }
}

/** A serialized response kept until something changes, with its ETag and its gzip form. */
export interface CachedBody {
  readonly body: string;
  readonly etag: string;
  /** The body gzipped (made once, on the first request that accepts it). */
  gzipped(): Buffer;
}

/** What the routes share. */
export interface RouteContext {
  readonly manager: ServiceRegistryManager;
  /** Forgets a revoked token's cached check. */
  forgetToken(tokenId: number): void;
  /** The cached body of a list query, or computes and caches it. */
  listBody(query: string, compute: () => Promise<unknown>): Promise<CachedBody>;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries([401, 403, 429, ...statuses].map((status) => [status, ERROR_SCHEMA]));

const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: SERVICE_ID },
} as const;

/** Who acts, for core's audit log. */
export function actorFor(request: FastifyRequest): Actor {
  const identity = request.identity;
  if (!identity) throw new HttpError(401, 'SD_ERR_UNAUTHENTICATED', 'Log in first.');
  return { actor: identity.actor, adapter: 'web', origin: request.ip };
}

function record(r: HealthCheckRecord): Record<string, unknown> {
  return { ...r, checkedAt: r.checkedAt.toISOString() };
}

/** A reload's outcome as the API answers it: its error as code, message (with what to do) and reason. */
export function reloadData(result: ReloadResult): Record<string, unknown> {
  const { error } = result;
  const hint = error ? webHint(error) : null;
  return {
    ...result,
    error: error
      ? {
          code: error.code,
          message: hint ? `${error.reason} ${hint}` : error.reason,
          reason: error.reason,
        }
      : null,
  };
}

/** Registers every API route on `app`. */
export function registerApiRoutes(app: FastifyInstance, context: RouteContext): void {
  const { manager } = context;

  app.get(
    '/api/services',
    {
      config: { servicedeck: { access: 'read' } },
      schema: {
        summary: 'List services',
        description:
          'Every service in the catalog with its status in this process, filtered by type, status, tag, enabled state and a search over id, name and description.',
        tags: ['services'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', enum: ['internal', 'external', 'wrapper'] },
            status: { type: 'string', enum: ['active', 'inactive', 'error', 'unknown'] },
            tag: { type: 'string', maxLength: 100 },
            enabled: { type: 'boolean' },
            q: { type: 'string', maxLength: 200, description: 'Search in id, name and description.' },
          },
        },
        response: {
          200: { type: 'array', items: SERVICE },
          304: { type: 'null', description: 'Not modified (If-None-Match)' },
          ...errors(400),
        },
      },
    },
    async (request, reply) => {
      const query = request.query as {
        type?: ServiceSummary['type'];
        status?: string;
        tag?: string;
        enabled?: boolean;
        q?: string;
      };
      const key = JSON.stringify([query.type, query.status, query.tag, query.enabled, query.q]);
      const cached = await context.listBody(key, async () => {
        const needle = query.q?.trim().toLowerCase();
        return (await manager.listServices(query.type ? { type: query.type } : {}))
          .filter((s) => query.status === undefined || s.status === query.status)
          .filter((s) => query.tag === undefined || s.tags.includes(query.tag))
          .filter((s) => query.enabled === undefined || s.enabled === query.enabled)
          .filter(
            (s) =>
              !needle ||
              s.id.includes(needle) ||
              s.name.toLowerCase().includes(needle) ||
              s.description.toLowerCase().includes(needle),
          );
      });
      reply.header('etag', cached.etag).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === cached.etag) return reply.code(304).send();
      reply.type('application/json; charset=utf-8');
      if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
        return reply.header('content-encoding', 'gzip').send(cached.gzipped());
      }
      return reply.send(cached.body);
    },
  );

  app.get(
    '/api/services/:id',
    {
      config: { servicedeck: { access: 'read' } },
      schema: {
        summary: 'One service in detail',
        description:
          'The service, its dependencies and dependents, uptime over 24 hours, its last check, and its status as each servicedeck process last checked it.',
        tags: ['services'],
        params: idParams,
        response: { 200: SERVICE_DETAIL, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const service = manager.getServiceInfo(id);
      const all = await manager.listServices();
      const byId = new Map(all.map((s) => [s.id, s]));
      const [uptime, history, instances] = await Promise.all([
        manager.uptime(id),
        manager.healthHistory(id, 500),
        manager.listInstances(),
      ]);
      const lastBy = new Map<string, HealthCheckRecord>();
      for (const check of history) if (!lastBy.has(check.instanceId)) lastBy.set(check.instanceId, check);
      return {
        service,
        dependencies: service.dependencies.flatMap((dep) => {
          const found = byId.get(dep);
          return found ? [found] : [];
        }),
        dependents: all.filter((s) => s.dependencies.includes(id)),
        uptime: { windowHours: 24, ...uptime },
        lastCheck: history[0] ? record(history[0]) : null,
        instances: instances.map((instance) => {
          const last = lastBy.get(instance.id);
          return {
            instanceId: instance.id,
            hostname: instance.hostname,
            pid: instance.pid,
            state: instance.state,
            self: instance.self,
            status: last?.status ?? null,
            message: last?.message ?? null,
            checkedAt: last ? last.checkedAt.toISOString() : null,
          };
        }),
      };
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    const flag = action === 'enable' ? 'withDependencies' : 'cascade';
    app.post(
      `/api/services/:id/${action}`,
      {
        config: { servicedeck: { access: 'manage', action, bucket: 'manage' } },
        schema: {
          summary: action === 'enable' ? 'Enable a service' : 'Disable a service',
          description:
            action === 'enable'
              ? 'Enables the service (and, with withDependencies, its disabled dependencies first). With dryRun, returns the plan and changes nothing. Refused with 409 while dependencies are disabled.'
              : 'Disables the service (and, with cascade, its enabled dependents first), after its work in flight. With dryRun, returns the plan and changes nothing. Refused with 409 while dependents are enabled.',
          tags: ['lifecycle'],
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { [flag]: { type: 'boolean' }, dryRun: { type: 'boolean' } },
          },
          response: { 200: LIFECYCLE_RESULT, ...errors(400, 404, 409) },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const body = (request.body ?? {}) as {
          withDependencies?: boolean;
          cascade?: boolean;
          dryRun?: boolean;
        };
        const options = { ...actorFor(request), dryRun: body.dryRun ?? false };
        return action === 'enable'
          ? manager.enableService(id, { ...options, withDependencies: body.withDependencies ?? false })
          : manager.disableService(id, { ...options, cascade: body.cascade ?? false });
      },
    );
  }

  app.post(
    '/api/services/:id/reload',
    {
      config: { servicedeck: { access: 'manage', action: 'reload', bucket: 'manage' } },
      schema: {
        summary: 'Reload a service',
        description:
          "Loads the service's module file afresh and swaps it in: the new code is checked, the old instance stopped after its work in flight, the new one started with the current settings and checked once, and the services depending on it restarted or notified. A reload that fails is 200 with result failed, the stage and the reason; the previous version keeps running. Refused with 409 (SD_ERR_RELOAD_UNSUPPORTED) for a service registered in code or built in: it has no file to load.",
        tags: ['lifecycle'],
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: {} },
        response: { 200: RELOAD_RESULT, ...errors(400, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return reloadData(await manager.reloadService(id, actorFor(request)));
    },
  );

  app.post(
    '/api/services/:id/health',
    {
      config: { servicedeck: { access: 'read', action: 'health', bucket: 'check' } },
      schema: {
        summary: 'Check a service now',
        description: 'Runs a fresh health check in this process and returns its result.',
        tags: ['health'],
        params: idParams,
        response: { 200: HEALTH_RECORD, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      return record(await manager.checkHealth(id, { fresh: true }));
    },
  );

  app.get(
    '/api/services/:id/health',
    {
      config: { servicedeck: { access: 'read' } },
      schema: {
        summary: 'Health history',
        description: 'The most recent checks of the service, newest first, from every process.',
        tags: ['health'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        },
        response: { 200: { type: 'array', items: HEALTH_RECORD }, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { limit } = request.query as { limit: number };
      manager.getServiceInfo(id);
      return (await manager.healthHistory(id, limit)).map(record);
    },
  );

  app.get(
    '/api/services/:id/uptime',
    {
      config: { servicedeck: { access: 'read' } },
      schema: {
        summary: 'Uptime',
        description: 'The share of checks that found the service active over a window (default 24 hours).',
        tags: ['health'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { windowHours: { type: 'number', exclusiveMinimum: 0, maximum: 8760, default: 24 } },
        },
        response: { 200: UPTIME, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { windowHours } = request.query as { windowHours: number };
      manager.getServiceInfo(id);
      return { windowHours, ...(await manager.uptime(id, windowHours * 3_600_000)) };
    },
  );

  app.get(
    '/api/services/:id/config',
    {
      config: { servicedeck: { access: 'manage', action: 'config.view' } },
      schema: {
        summary: 'Configuration',
        description:
          'The effective settings (secrets redacted), where each comes from, and the schema to edit them with.',
        tags: ['config'],
        params: idParams,
        response: { 200: CONFIG_VIEW, ...errors(400, 404, 409) },
      },
    },
    async (request) => manager.getConfig((request.params as { id: string }).id),
  );

  app.patch(
    '/api/services/:id/config',
    {
      config: { servicedeck: { access: 'manage', action: 'config.update', bucket: 'manage' } },
      schema: {
        summary: 'Change settings',
        description:
          'Merges values into the stored settings (null removes one), validates the result, stores it as a new version and applies it. With expectedVersion, a newer stored version is a conflict (409) instead of being overwritten. Invalid settings are 400 with every field listed; nothing is stored.',
        tags: ['config'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['values'],
          properties: {
            values: { type: 'object', additionalProperties: true },
            expectedVersion: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: CONFIG_UPDATE_RESULT, ...errors(400, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { values: JsonObject; expectedVersion?: number };
      return manager.updateConfig(id, body.values, {
        ...actorFor(request),
        ...(body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion }),
      });
    },
  );

  app.get(
    '/api/services/:id/config/history',
    {
      config: { servicedeck: { access: 'manage', action: 'config.history' } },
      schema: {
        summary: 'Configuration history',
        description:
          'Stored versions, newest first, each with what changed from the one before (secrets redacted).',
        tags: ['config'],
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
        response: { 200: { type: 'array', items: CONFIG_VERSION }, ...errors(400, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { limit } = request.query as { limit: number };
      return manager.configHistory(id, limit);
    },
  );

  app.post(
    '/api/services/:id/config/rollback',
    {
      config: { servicedeck: { access: 'manage', action: 'config.rollback', bucket: 'manage' } },
      schema: {
        summary: 'Roll back settings',
        description: 'Makes the settings of an earlier version current again, as a new version.',
        tags: ['config'],
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['version'],
          properties: {
            version: { type: 'integer', minimum: 1 },
            expectedVersion: { type: 'integer', minimum: 0 },
          },
        },
        response: { 200: CONFIG_UPDATE_RESULT, ...errors(400, 404, 409) },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const body = request.body as { version: number; expectedVersion?: number };
      return manager.rollbackConfig(id, body.version, {
        ...actorFor(request),
        ...(body.expectedVersion === undefined ? {} : { expectedVersion: body.expectedVersion }),
      });
    },
  );

  app.get(
    '/api/audit',
    {
      config: { servicedeck: { access: 'manage', action: 'audit' } },
      schema: {
        summary: 'Audit log',
        description:
          'Management actions, newest first: who, through which adapter, on which service, with what result.',
        tags: ['audit'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            serviceId: { type: 'string', maxLength: 100 },
            actor: { type: 'string', maxLength: 200 },
            action: { type: 'string', maxLength: 50 },
            result: { type: 'string', enum: ['ok', 'failed', 'denied'] },
            since: { type: 'string', format: 'date-time' },
            afterId: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: { 200: { type: 'array', items: AUDIT_ENTRY }, ...errors(400) },
      },
    },
    async (request) => {
      const query = request.query as {
        serviceId?: string;
        actor?: string;
        action?: string;
        result?: AuditResult;
        since?: string;
        afterId?: number;
        limit: number;
      };
      const filter: AuditFilter = {
        ...(query.serviceId === undefined ? {} : { serviceId: query.serviceId }),
        ...(query.actor === undefined ? {} : { actor: query.actor }),
        ...(query.action === undefined ? {} : { action: query.action }),
        ...(query.result === undefined ? {} : { result: query.result }),
        ...(query.since === undefined ? {} : { since: new Date(query.since) }),
        ...(query.afterId === undefined ? {} : { afterId: query.afterId }),
        limit: query.limit,
      };
      return (await manager.auditLog(filter)).map(auditData);
    },
  );

  app.get(
    '/api/instances',
    {
      config: { servicedeck: { access: 'read' } },
      schema: {
        summary: 'Processes',
        description:
          'Every servicedeck process on this database: host, pid, shards, heartbeat and the last change it applied.',
        tags: ['instances'],
        response: { 200: { type: 'array', items: INSTANCE }, ...errors() },
      },
    },
    async () => manager.listInstances(),
  );

  app.get(
    '/api/tokens',
    {
      config: { servicedeck: { access: 'manage', action: 'token.list' } },
      schema: {
        summary: 'API tokens',
        description: 'Every API token (never the token itself), newest first, with when it was last used.',
        tags: ['tokens'],
        response: { 200: { type: 'array', items: TOKEN_INFO }, ...errors() },
      },
    },
    async () => manager.listApiTokens(),
  );

  app.post(
    '/api/tokens',
    {
      config: { servicedeck: { access: 'manage', action: 'token.create', bucket: 'manage' } },
      schema: {
        summary: 'Create an API token',
        description: 'The token is in this response only; only its hash is stored.',
        tags: ['tokens'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'scope'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100, pattern: '\\S' },
            scope: { type: 'string', enum: ['read', 'manage'] },
          },
        },
        response: {
          201: {
            type: 'object',
            additionalProperties: false,
            required: ['token', 'info'],
            properties: { token: { type: 'string' }, info: TOKEN_INFO },
          },
          ...errors(400),
        },
      },
    },
    async (request, reply: FastifyReply) => {
      const body = request.body as { name: string; scope: 'read' | 'manage' };
      const created = await manager.createApiToken({
        ...actorFor(request),
        name: body.name,
        scope: body.scope,
      });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/tokens/:tokenId',
    {
      config: { servicedeck: { access: 'manage', action: 'token.revoke', bucket: 'manage' } },
      schema: {
        summary: 'Revoke an API token',
        description: 'Requests with it are refused from now on.',
        tags: ['tokens'],
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['tokenId'],
          properties: { tokenId: { type: 'integer', minimum: 1 } },
        },
        response: { 200: TOKEN_INFO, ...errors(400, 404) },
      },
    },
    async (request) => {
      const { tokenId } = request.params as { tokenId: number };
      const revoked = await manager.revokeApiToken(tokenId, actorFor(request));
      context.forgetToken(tokenId);
      return revoked;
    },
  );
}
