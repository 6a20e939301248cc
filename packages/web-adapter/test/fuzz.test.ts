/**
 * A property-based run over the OpenAPI document: requests generated from each route's own schemas (and,
 * as often, deliberately wrong ones) never get a 5xx, and every response matches the schema the document
 * declares for its status.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startWeb } from './support/web.js';

type Schema = Record<string, unknown>;

/** An arbitrary of values matching a JSON schema (the subset the API's schemas use). */
function arbitraryOf(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf))
    return fc.oneof(...(schema.anyOf as Schema[]).map((s) => arbitraryOf(s, depth)));
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  if (types.length > 1) return fc.oneof(...types.map((type) => arbitraryOf({ ...schema, type }, depth)));
  switch (types[0]) {
    case 'string':
      if (typeof schema.pattern === 'string' && schema.pattern !== '\\S') {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length <= ((schema.maxLength as number) ?? 200));
      }
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.string({
        minLength: (schema.minLength as number) ?? 0,
        maxLength: Math.min((schema.maxLength as number) ?? 30, 30),
      });
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number) ?? -1_000,
        max: (schema.maximum as number) ?? 1_000,
      });
    case 'number':
      return fc.double({
        min: (schema.minimum as number) ?? -1_000,
        max: (schema.maximum as number) ?? 1_000,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return depth > 2
        ? fc.constant([])
        : fc.array(arbitraryOf((schema.items as Schema) ?? {}, depth + 1), { maxLength: 3 });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      if (Object.keys(properties).length === 0 || depth > 2)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
      return fc.record(
        Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, arbitraryOf(s, depth + 1)])),
        { requiredKeys: required },
      );
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Sometimes the schema's own values, sometimes anything at all. */
const valueOrJunk = (schema: Schema): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: arbitraryOf(schema) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );

interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { content: Record<string, { schema: Schema }> }>;
}

describe('the API under generated requests', () => {
  it('GIVEN requests generated from the OpenAPI schemas THEN no response is a 5xx and each matches its declared schema', async () => {
    const w = await startWeb('sqlite', {
      rateLimits: { api: 1_000_000, manage: 1_000_000, check: 1_000_000 },
    });
    let auth = await w.token('manage', 'fuzz');
    const doc = w.web.openApi() as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Schema };
    };
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const resolveRefs = (schema: unknown): unknown => {
      if (Array.isArray(schema)) return schema.map(resolveRefs);
      if (schema !== null && typeof schema === 'object') {
        const object = schema as Schema;
        if (object.$ref === '#/components/schemas/Error') return { $ref: 'doc#/components/schemas/Error' };
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveRefs(v)]));
      }
      return schema;
    };
    const ids = ['database', 'reminders', 'digest', 'github', 'process'];
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => !('text/event-stream' in (op.responses['200']?.content ?? {})))
        .map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
    );
    expect(operations.length).toBeGreaterThan(15);
    let requests = 0;

    for (const op of operations) {
      const pathParams = op.parameters.filter((p) => p.in === 'path');
      const queryParams = op.parameters.filter((p) => p.in === 'query');
      const request = fc.record({
        path: fc.record(
          Object.fromEntries(
            pathParams.map((p) => [
              p.name,
              p.name === 'id'
                ? fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 12 }))
                : valueOrJunk(p.schema),
            ]),
          ),
        ),
        query: fc.record(Object.fromEntries(queryParams.map((p) => [p.name, valueOrJunk(p.schema)])), {
          requiredKeys: [],
        }),
        body: op.requestBody
          ? valueOrJunk(op.requestBody.content['application/json'].schema)
          : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ path, query, body }) => {
          const url =
            op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(path[name]))) +
            (Object.keys(query).length > 0
              ? `?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}`
              : '');
          let response = await w.request(op.method as 'GET', url, auth, body);
          if (response.statusCode === 401 && op.path !== '/login' && op.method !== 'POST') {
            // The run revoked its own token: take a new one.
            auth = await w.token('manage', 'fuzz');
            response = await w.request(op.method as 'GET', url, auth, body);
          }
          requests += 1;
          const where = `${op.method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`;
          expect(response.statusCode, where).toBeLessThan(500);
          const declared = op.responses[String(response.statusCode)];
          expect(declared, `${where}: status not in the document`).toBeDefined();
          const media = Object.entries(declared?.content ?? {})[0];
          if (
            !media ||
            response.statusCode === 204 ||
            response.statusCode === 304 ||
            response.statusCode === 303
          )
            return;
          const [type, { schema }] = media;
          if (!type.includes('json')) return;
          const validate = ajv.compile(resolveRefs(schema) as Schema);
          const ok = validate(response.json());
          expect(ok, `${where}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        }),
        { numRuns: 25, seed: 20261204 },
      );
    }
    expect(requests).toBeGreaterThanOrEqual(operations.length * 25);
    expect(w.logs.filter((r) => r.level === 'error')).toEqual([]);
  });
});
