/**
 * The OpenAPI 3.1 document, generated from the schemas of the routes as they are registered.
 */
import { SERVICEDECK_VERSION } from '@servicedeck/core';
import { ERROR_SCHEMA } from './errors.js';

/** What a route declares for the document. */
export interface RouteDoc {
  readonly method: string;
  readonly url: string;
  readonly schema: {
    readonly summary?: string;
    readonly description?: string;
    readonly tags?: readonly string[];
    readonly params?: Record<string, unknown>;
    readonly querystring?: Record<string, unknown>;
    readonly body?: Record<string, unknown>;
    readonly response?: Record<string, Record<string, unknown>>;
    /** Who may call it: `read`, `manage`, or `public`. */
    readonly access?: 'read' | 'manage' | 'public';
    readonly produces?: readonly string[];
  };
}

type Json = Record<string, unknown>;

/** Replaces the shared error schema by a reference to its component. */
function withRefs(schema: unknown): unknown {
  if (schema === ERROR_SCHEMA) return { $ref: '#/components/schemas/Error' };
  if (Array.isArray(schema)) return schema.map(withRefs);
  if (schema !== null && typeof schema === 'object') {
    return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, withRefs(v)]));
  }
  return schema;
}

function parameters(where: 'path' | 'query', schema: Json | undefined): Json[] {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property as Json & { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/** Builds the document from the routes. */
export function openApiDocument(routes: readonly RouteDoc[], serverUrl?: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const schema = route.schema;
    const responses: Json = {};
    for (const [status, response] of Object.entries(schema.response ?? {})) {
      const media = status === '200' && schema.produces ? schema.produces : ['application/json'];
      responses[status] = {
        description:
          (response as { description?: string }).description ?? (Number(status) < 400 ? 'OK' : 'Error'),
        content: Object.fromEntries(media.map((type) => [type, { schema: withRefs(response) }])),
      };
    }
    if (schema.body) {
      // Fastify refuses these before the route runs: a body that is not JSON, or too large.
      for (const status of ['413', '415']) {
        responses[status] ??= {
          description: status === '413' ? 'Body too large' : 'Body not JSON',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
    }
    if (schema.body) {
      // Fastify refuses these before the route runs: a body that is not JSON, or too large.
      for (const status of ['413', '415']) {
        responses[status] ??= {
          description: status === '413' ? 'Body too large' : 'Body not JSON',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
    }
    if (schema.params) {
      responses['414'] ??= {
        description: 'A path segment too long',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    const operation: Json = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(schema.summary ? { summary: schema.summary } : {}),
      ...(schema.description ? { description: schema.description } : {}),
      ...(schema.tags ? { tags: schema.tags } : {}),
      parameters: [...parameters('path', schema.params), ...parameters('query', schema.querystring)],
      ...(schema.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: withRefs(schema.body) } },
            },
          }
        : {}),
      responses,
      security: schema.access === 'public' ? [] : [{ session: [] }, { apiToken: [] }],
      'x-servicedeck-access': schema.access ?? 'read',
    };
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'servicedeck',
      version: SERVICEDECK_VERSION,
      description:
        'The HTTP API of servicedeck: the catalog, health, configuration, enable/disable with dependencies, the audit log and a live event stream. Every error has the same body, carrying the core error code.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'servicedeck_session' },
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (sdk_…) with the read or manage scope.',
        },
      },
    },
  };
}
