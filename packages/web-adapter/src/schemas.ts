/**
 * JSON schemas of the API's requests and responses. Fastify validates requests and serializes responses
 * with them, and the OpenAPI document is generated from them, so the three cannot drift apart.
 */
import { RELOAD_STAGES, SERVICE_STATUSES, SERVICE_TYPES } from '@servicedeck/core';

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type: [type, 'null'], ...extra });
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
/** Any JSON value. */
const anyJson = {} as const;

export const SERVICE_ID = { type: 'string', pattern: '^[a-z][a-z0-9-]{0,99}$' } as const;

export const SERVICE = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'name',
    'description',
    'type',
    'version',
    'dependencies',
    'tags',
    'enabled',
    'status',
    'statusMessage',
    'running',
    'missing',
    'source',
    'lastHealthCheck',
    'latencyMs',
  ],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    type: { type: 'string', enum: [...SERVICE_TYPES] },
    version: nullable('string'),
    dependencies: { type: 'array', items: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string' } },
    enabled: { type: 'boolean' },
    status: { type: 'string', enum: [...SERVICE_STATUSES] },
    statusMessage: nullable('string'),
    running: { type: 'boolean' },
    missing: { type: 'boolean' },
    source: nullable('string'),
    lastHealthCheck: nullableDateTime,
    latencyMs: nullable('number'),
  },
} as const;

export const HEALTH_RECORD = {
  type: 'object',
  additionalProperties: false,
  required: ['serviceId', 'instanceId', 'status', 'latencyMs', 'message', 'cause', 'checkedAt'],
  properties: {
    serviceId: { type: 'string' },
    instanceId: { type: 'string' },
    status: { type: 'string', enum: [...SERVICE_STATUSES] },
    latencyMs: nullable('number'),
    message: nullable('string'),
    cause: nullable('string'),
    checkedAt: dateTime,
    details: { type: 'object', additionalProperties: true },
  },
} as const;

export const UPTIME = {
  type: 'object',
  additionalProperties: false,
  required: ['windowHours', 'checks', 'active', 'ratio'],
  properties: {
    windowHours: { type: 'number' },
    checks: { type: 'integer' },
    active: { type: 'integer' },
    ratio: nullable('number'),
  },
} as const;

/** The service as one servicedeck process sees it: that process's last check of it. */
export const SERVICE_INSTANCE = {
  type: 'object',
  additionalProperties: false,
  required: ['instanceId', 'hostname', 'pid', 'state', 'self', 'status', 'message', 'checkedAt'],
  properties: {
    instanceId: { type: 'string' },
    hostname: { type: 'string' },
    pid: { type: 'integer' },
    state: { type: 'string', enum: ['running', 'gone'] },
    self: { type: 'boolean' },
    status: { anyOf: [{ type: 'string', enum: [...SERVICE_STATUSES] }, { type: 'null' }] },
    message: nullable('string'),
    checkedAt: nullableDateTime,
  },
} as const;

export const SERVICE_DETAIL = {
  type: 'object',
  additionalProperties: false,
  required: ['service', 'dependencies', 'dependents', 'uptime', 'lastCheck', 'instances'],
  properties: {
    service: SERVICE,
    dependencies: { type: 'array', items: SERVICE },
    dependents: { type: 'array', items: SERVICE },
    uptime: UPTIME,
    lastCheck: { anyOf: [HEALTH_RECORD, { type: 'null' }] },
    /** Per process: its last check of this service (null when it has not checked it recently). */
    instances: { type: 'array', items: SERVICE_INSTANCE },
  },
} as const;

export const LIFECYCLE_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['plan', 'dryRun', 'outcomes', 'applied'],
  properties: {
    plan: {
      type: 'object',
      additionalProperties: false,
      required: ['action', 'target', 'steps'],
      properties: {
        action: { type: 'string', enum: ['enable', 'disable'] },
        target: { type: 'string' },
        steps: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['serviceId', 'action'],
            properties: {
              serviceId: { type: 'string' },
              action: { type: 'string', enum: ['enable', 'disable'] },
            },
          },
        },
      },
    },
    dryRun: { type: 'boolean' },
    outcomes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['serviceId', 'action', 'result', 'status', 'message'],
        properties: {
          serviceId: { type: 'string' },
          action: { type: 'string', enum: ['enable', 'disable'] },
          result: { type: 'string', enum: ['ok', 'failed'] },
          status: { type: 'string', enum: [...SERVICE_STATUSES] },
          message: nullable('string'),
        },
      },
    },
    applied: { type: 'string', enum: ['here', 'recorded'] },
  },
} as const;

/** What `POST /api/services/:id/reload` answers: core's ReloadResult, its error as code, message and reason. */
export const RELOAD_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: [
    'serviceId',
    'result',
    'applied',
    'revision',
    'previousVersion',
    'version',
    'stage',
    'error',
    'rolledBack',
    'running',
    'status',
    'message',
    'dependents',
    'durationMs',
  ],
  properties: {
    serviceId: { type: 'string' },
    result: { type: 'string', enum: ['ok', 'failed'] },
    /** `here`: reloaded in this process; `recorded`: checked and recorded, the running processes apply it. */
    applied: { type: 'string', enum: ['here', 'recorded'] },
    revision: nullable('integer'),
    previousVersion: nullable('string'),
    version: nullable('string'),
    stage: {
      anyOf: [{ type: 'string', enum: [...RELOAD_STAGES] }, { type: 'null' }],
    },
    error: {
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['code', 'message', 'reason'],
          properties: {
            code: { type: 'string', pattern: '^SD_ERR_[A-Z_]+$' },
            /** What went wrong and what to do. */
            message: { type: 'string' },
            /** What went wrong, without what to do. */
            reason: { type: 'string' },
          },
        },
        { type: 'null' },
      ],
    },
    rolledBack: { type: 'boolean' },
    running: { type: 'boolean' },
    status: { type: 'string', enum: [...SERVICE_STATUSES] },
    message: nullable('string'),
    dependents: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['serviceId', 'action', 'result', 'message'],
        properties: {
          serviceId: { type: 'string' },
          action: { type: 'string', enum: ['restarted', 'notified'] },
          result: { type: 'string', enum: ['ok', 'failed'] },
          message: nullable('string'),
        },
      },
    },
    durationMs: { type: 'number' },
  },
} as const;

const CONFIG_CHANGE = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key: { type: 'string' }, from: anyJson, to: anyJson },
} as const;

const PROBLEM = {
  type: 'object',
  additionalProperties: false,
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' } },
} as const;

export const CONFIG_VIEW = {
  type: 'object',
  additionalProperties: false,
  required: [
    'serviceId',
    'version',
    'values',
    'fields',
    'liveConfig',
    'pendingRestart',
    'problems',
    'schema',
  ],
  properties: {
    serviceId: { type: 'string' },
    version: { type: 'integer' },
    values: { type: 'object', additionalProperties: true },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'source', 'secret', 'envVar', 'types', 'required'],
        properties: {
          key: { type: 'string' },
          value: anyJson,
          source: { type: 'string' },
          secret: { type: 'boolean' },
          envVar: { type: 'string' },
          overridden: anyJson,
          types: { type: 'array', items: { type: 'string' } },
          description: { type: 'string' },
          required: { type: 'boolean' },
        },
      },
    },
    liveConfig: { type: 'boolean' },
    pendingRestart: { type: 'boolean' },
    problems: { type: 'array', items: PROBLEM },
    /** The service's configuration JSON schema, for generating a form; null when it has none. */
    schema: { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }] },
  },
} as const;

export const CONFIG_UPDATE_RESULT = {
  type: 'object',
  additionalProperties: false,
  required: ['serviceId', 'version', 'applied', 'changes'],
  properties: {
    serviceId: { type: 'string' },
    version: { type: 'integer' },
    applied: { type: 'string' },
    changes: { type: 'array', items: CONFIG_CHANGE },
  },
} as const;

export const CONFIG_VERSION = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'actor', 'adapter', 'createdAt', 'values', 'changes'],
  properties: {
    version: { type: 'integer' },
    actor: { type: 'string' },
    adapter: { type: 'string' },
    createdAt: dateTime,
    values: { type: 'object', additionalProperties: true },
    changes: { type: 'array', items: CONFIG_CHANGE },
  },
} as const;

export const AUDIT_ENTRY = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'actor',
    'adapter',
    'origin',
    'action',
    'serviceId',
    'result',
    'details',
    'instanceId',
    'at',
  ],
  properties: {
    id: { type: 'integer' },
    actor: { type: 'string' },
    adapter: { type: 'string' },
    origin: nullable('string'),
    action: { type: 'string' },
    serviceId: nullable('string'),
    result: { type: 'string', enum: ['ok', 'failed', 'denied'] },
    details: { type: 'object', additionalProperties: true },
    instanceId: nullable('string'),
    at: dateTime,
  },
} as const;

export const INSTANCE = {
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'hostname',
    'pid',
    'shardIds',
    'version',
    'startedAt',
    'lastSeenAt',
    'lastRevision',
    'state',
    'self',
  ],
  properties: {
    id: { type: 'string' },
    hostname: { type: 'string' },
    pid: { type: 'integer' },
    shardIds: { type: 'array', items: { type: 'integer' } },
    version: nullable('string'),
    startedAt: dateTime,
    lastSeenAt: dateTime,
    lastRevision: { type: 'integer' },
    state: { type: 'string', enum: ['running', 'gone'] },
    self: { type: 'boolean' },
  },
} as const;

export const TOKEN_INFO = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'scope', 'prefix', 'createdBy', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    scope: { type: 'string', enum: ['read', 'manage'] },
    prefix: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: dateTime,
    lastUsedAt: nullableDateTime,
    revokedAt: nullableDateTime,
  },
} as const;

export const SESSION = {
  type: 'object',
  additionalProperties: false,
  required: ['actor', 'level', 'via', 'csrfToken'],
  properties: {
    actor: { type: 'string' },
    level: { type: 'string', enum: ['read', 'manage'] },
    via: { type: 'string', enum: ['session', 'token'] },
    csrfToken: nullable('string'),
  },
} as const;
