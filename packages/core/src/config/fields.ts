/**
 * What a configuration schema says about its fields: which are secret (`"x-secret": true` or
 * `writeOnly: true`, at the field or anywhere inside it), and which environment variable overrides each.
 */
import type { ConfigSchema, JsonObject, JsonValue } from '../types.js';

/** What replaces a secret value in every output. */
export const REDACTED = '••••••';

function marksSecret(schema: unknown, seen = new Set<unknown>()): boolean {
  if (schema === null || typeof schema !== 'object' || seen.has(schema)) return false;
  seen.add(schema);
  const node = schema as Record<string, unknown>;
  if (node['x-secret'] === true || node.writeOnly === true) return true;
  return Object.values(node).some((child) =>
    Array.isArray(child) ? child.some((item) => marksSecret(item, seen)) : marksSecret(child, seen),
  );
}

/** The top-level settings of a schema that are secret. */
export function secretKeys(schema: ConfigSchema | null): Set<string> {
  const properties = (schema?.properties ?? {}) as Record<string, unknown>;
  return new Set(Object.keys(properties).filter((key) => marksSecret(properties[key])));
}

/** The top-level settings a schema declares. */
export function declaredKeys(schema: ConfigSchema | null): string[] {
  return Object.keys((schema?.properties ?? {}) as Record<string, unknown>);
}

/**
 * `SERVICEDECK_SVC_<SERVICE>__<KEY>`: `http` + `timeoutMs` → `SERVICEDECK_SVC_HTTP__TIMEOUT_MS`. The `SVC_`
 * prefix and the double underscore keep these apart from servicedeck's own variables and from each other.
 */
export function envVarName(serviceId: string, key: string): string {
  const snake = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  return `SERVICEDECK_SVC_${serviceId.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}__${snake}`;
}

/**
 * The environment overrides of a service's declared settings. A value that parses as JSON is used as
 * such (`2000`, `true`, `{"a":1}`); anything else is a string.
 */
export function envOverrides(
  schema: ConfigSchema | null,
  serviceId: string,
  env: NodeJS.ProcessEnv,
): Map<string, { value: JsonValue; variable: string }> {
  const out = new Map<string, { value: JsonValue; variable: string }>();
  for (const key of declaredKeys(schema)) {
    const variable = envVarName(serviceId, key);
    const raw = env[variable];
    if (raw === undefined) continue;
    let value: JsonValue;
    try {
      value = JSON.parse(raw) as JsonValue;
    } catch {
      value = raw;
    }
    out.set(key, { value, variable });
  }
  return out;
}

/** A copy of `config` with secret values replaced by {@link REDACTED}. */
export function redact(config: JsonObject, secrets: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(config))
    out[key] = secrets.has(key) && value !== null ? REDACTED : value;
  return out;
}

/** One changed setting between two configurations (secrets redacted). */
export interface ConfigChange {
  readonly key: string;
  /** The value before, or undefined when the setting was not set. */
  readonly from?: JsonValue;
  /** The value after, or undefined when the setting was removed. */
  readonly to?: JsonValue;
}

/**
 * The settings that differ between two configurations, by key. Secret values are redacted, but a
 * changed secret is still listed as changed.
 */
export function diffConfig(
  before: JsonObject,
  after: JsonObject,
  secrets: ReadonlySet<string>,
): ConfigChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const changes: ConfigChange[] = [];
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const show = (value: JsonValue | undefined): JsonValue | undefined =>
      value === undefined ? undefined : secrets.has(key) ? REDACTED : value;
    const from = show(a);
    const to = show(b);
    changes.push({ key, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  }
  return changes;
}
