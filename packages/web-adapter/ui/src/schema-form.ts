/**
 * A service's configuration schema as a form: one field model per top-level setting, the parsing of what
 * was typed (with messages for inline errors), client-side validation, the partial update to send, and the
 * server's field problems mapped back onto fields. No DOM.
 */
import type { ConfigFieldInfo, ConfigView, FieldProblem, JsonObject, JsonValue } from './types.js';

export type FieldKind = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'json';

/** What a form control holds: text, or a checkbox's state. */
export type RawValue = string | boolean;

export interface FormField {
  readonly key: string;
  readonly label: string;
  readonly kind: FieldKind;
  /** A secret (`writeOnly`/`x-secret`): a password input, empty unless a new value is typed. */
  readonly secret: boolean;
  readonly required: boolean;
  readonly description: string | null;
  readonly defaultValue: JsonValue | undefined;
  /** The choices of an enum. */
  readonly options: readonly JsonValue[];
  /** For json fields: 'object', 'array' or null (any JSON). */
  readonly jsonType: 'object' | 'array' | null;
  readonly minimum: number | undefined;
  readonly maximum: number | undefined;
  readonly exclusiveMinimum: number | undefined;
  readonly exclusiveMaximum: number | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  readonly pattern: string | undefined;
  /** Where the current value comes from: stored, default, env, unset (null without field info). */
  readonly source: string | null;
  readonly envVar: string | null;
  /** The effective value (secrets redacted), undefined when unset. */
  readonly current: JsonValue | undefined;
  /** Whether a secret has a value (so "unchanged" keeps it). */
  readonly hasValue: boolean;
  /** Declared by the schema (false: a stored key the schema does not know). */
  readonly declared: boolean;
  /** The control's value when the form opens. */
  readonly initial: RawValue;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** The JSON types a property schema allows (without 'null'), and whether it allows null. */
function typesOf(property: Record<string, unknown>): { types: string[]; nullable: boolean } {
  const raw = property.type;
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map(String) : [];
  return { types: list.filter((t) => t !== 'null'), nullable: list.includes('null') };
}

function kindOf(property: Record<string, unknown>, fallbackTypes: readonly string[]): FieldKind {
  if (Array.isArray(property.enum) && property.enum.length > 0) return 'enum';
  if ('const' in property) return 'enum';
  let { types } = typesOf(property);
  if (types.length === 0) types = fallbackTypes.filter((t) => t !== 'null');
  if (types.length !== 1) return 'json';
  const [type] = types;
  if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean') return type;
  return 'json';
}

/** The text a control shows for a value of a kind. */
export function rawOf(kind: FieldKind, value: JsonValue | undefined): RawValue {
  switch (kind) {
    case 'boolean':
      return value === true;
    case 'enum':
      return value === undefined ? '' : JSON.stringify(value);
    case 'json':
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    case 'string':
      return value === undefined || value === null
        ? ''
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
    default:
      return value === undefined || value === null ? '' : String(value);
  }
}

/** The form of a configuration view: from its schema, else from its field list and values. */
export function buildFormModel(view: Pick<ConfigView, 'schema' | 'fields' | 'values'>): FormField[] {
  const schema = isObject(view.schema) ? view.schema : null;
  const properties = schema && isObject(schema.properties) ? schema.properties : {};
  const required = new Set(
    schema && Array.isArray(schema.required) ? schema.required.filter((k) => typeof k === 'string') : [],
  );
  const infos = new Map<string, ConfigFieldInfo>(view.fields.map((f) => [f.key, f]));
  const keys = [...Object.keys(properties)];
  for (const key of [...infos.keys(), ...Object.keys(view.values)]) if (!keys.includes(key)) keys.push(key);

  return keys.map((key): FormField => {
    const declared = key in properties;
    const property = (isObject(properties[key]) ? properties[key] : {}) as Record<string, unknown>;
    const info = infos.get(key);
    const secret = info?.secret === true || property.writeOnly === true || property['x-secret'] === true;
    const kind = declared || info ? kindOf(property, info?.types ?? []) : 'json';
    const current = info ? info.value : (view.values[key] as JsonValue | undefined);
    const { types } = typesOf(property);
    const options: JsonValue[] = Array.isArray(property.enum)
      ? (property.enum as JsonValue[])
      : 'const' in property
        ? [property.const as JsonValue]
        : [];
    return {
      key,
      label: typeof property.title === 'string' ? property.title : key,
      kind,
      secret,
      required: required.has(key) || info?.required === true,
      description:
        typeof property.description === 'string' ? property.description : (info?.description ?? null),
      defaultValue: 'default' in property ? (property.default as JsonValue) : undefined,
      options,
      jsonType:
        kind !== 'json'
          ? null
          : types.length === 1 && (types[0] === 'object' || types[0] === 'array')
            ? types[0]
            : null,
      minimum: num(property.minimum),
      maximum: num(property.maximum),
      exclusiveMinimum: num(property.exclusiveMinimum),
      exclusiveMaximum: num(property.exclusiveMaximum),
      minLength: num(property.minLength),
      maxLength: num(property.maxLength),
      pattern: typeof property.pattern === 'string' ? property.pattern : undefined,
      source: info?.source ?? null,
      envVar: info?.envVar ?? null,
      current,
      hasValue: current !== undefined && current !== null,
      declared,
      initial: secret ? '' : rawOf(kind, current),
    };
  });
}

export type Parsed =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly error: string };

const fail = (error: string): Parsed => ({ ok: false, error });

/** Checks a value against the field's constraints; the message of the first problem, or null. */
export function validateValue(field: FormField, value: JsonValue): string | null {
  if (value === null) return field.required ? 'is required' : null;
  switch (field.kind) {
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (field.kind === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
      if (field.minimum !== undefined && value < field.minimum) return `must be at least ${field.minimum}`;
      if (field.maximum !== undefined && value > field.maximum) return `must be at most ${field.maximum}`;
      if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum)
        return `must be more than ${field.exclusiveMinimum}`;
      if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum)
        return `must be less than ${field.exclusiveMaximum}`;
      return null;
    }
    case 'string': {
      if (typeof value !== 'string') return 'must be text';
      const length = [...value].length;
      if (field.minLength !== undefined && length < field.minLength)
        return `must be at least ${field.minLength} characters`;
      if (field.maxLength !== undefined && length > field.maxLength)
        return `must be at most ${field.maxLength} characters`;
      if (field.pattern !== undefined) {
        try {
          if (!new RegExp(field.pattern, 'u').test(value)) return `must match ${field.pattern}`;
        } catch {
          // A pattern JavaScript cannot read: the server checks it.
        }
      }
      return null;
    }
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'enum':
      return field.options.some((option) => sameJson(option, value))
        ? null
        : `must be one of ${field.options.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'json':
      if (field.jsonType === 'object' && !isObject(value)) return 'must be a JSON object ({ … })';
      if (field.jsonType === 'array' && !Array.isArray(value)) return 'must be a JSON array ([ … ])';
      return null;
  }
}

/** Parses what was typed into a field; empty means "remove the stored value" (null). */
export function parseRaw(field: FormField, raw: RawValue): Parsed {
  let value: JsonValue;
  if (field.kind === 'boolean') {
    value = raw === true || raw === 'true';
  } else {
    const text = typeof raw === 'string' ? raw : String(raw);
    const trimmed = text.trim();
    if (trimmed === '' && !(field.kind === 'string' && text !== '' && !field.secret)) {
      value = null;
    } else {
      switch (field.kind) {
        case 'integer':
        case 'number': {
          if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) {
            return fail(field.kind === 'integer' ? 'must be a whole number' : 'must be a number');
          }
          value = Number(trimmed);
          break;
        }
        case 'enum':
          try {
            value = JSON.parse(text) as JsonValue;
          } catch {
            return fail('choose one of the options');
          }
          break;
        case 'json':
          try {
            value = JSON.parse(text) as JsonValue;
          } catch (error) {
            return fail(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
          }
          break;
        default:
          value = text;
      }
    }
  }
  const problem = validateValue(field, value);
  return problem ? fail(problem) : { ok: true, value };
}

/** Deep equality of JSON values (object key order ignored). */
export function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]))
    );
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ak = Object.keys(a);
    const bk = Object.keys(b);
    return ak.length === bk.length && ak.every((k) => k in b && sameJson(a[k], (b as JsonObject)[k]));
  }
  return false;
}

export interface FormSubmission {
  /** The partial update: changed settings only; null removes one. */
  readonly values: Record<string, JsonValue | null>;
  /** Inline errors by key. */
  readonly errors: Record<string, string>;
}

/**
 * What to send for the controls' values: only fields whose control changed (secrets only when typed), each
 * parsed and validated; a required setting left without a value is an error.
 */
export function collectSubmission(
  fields: readonly FormField[],
  raws: ReadonlyMap<string, RawValue>,
): FormSubmission {
  const values: Record<string, JsonValue | null> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = raws.get(field.key) ?? field.initial;
    if (field.secret && raw === '') {
      if (field.required && !field.hasValue) errors[field.key] = 'is required';
      continue;
    }
    const changed = raw !== field.initial;
    if (!changed) {
      if (field.required && field.current === undefined && field.defaultValue === undefined) {
        errors[field.key] = 'is required';
      }
      continue;
    }
    const parsed = parseRaw(field, raw);
    if (!parsed.ok) {
      errors[field.key] = parsed.error;
      continue;
    }
    if (parsed.value === null && field.current === undefined) continue;
    if (!field.secret && sameJson(parsed.value, field.current)) continue;
    values[field.key] = parsed.value;
  }
  return { values, errors };
}

/** The top-level setting a JSON Pointer points at (`/values/retries` → retries), or null for the root. */
export function keyOfPointer(pointer: string): { key: string | null; rest: string } {
  let path = pointer;
  for (const prefix of ['/body', '/values']) {
    if (path === prefix) path = '';
    else if (path.startsWith(`${prefix}/`)) path = path.slice(prefix.length);
  }
  const segments = path.split('/').slice(1);
  const first = segments[0];
  if (first === undefined || first === '') return { key: null, rest: '' };
  const unescapeSegment = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');
  return { key: unescapeSegment(first), rest: segments.slice(1).map(unescapeSegment).join('/') };
}

/**
 * The server's field problems as inline errors by setting, and the rest (the whole settings object, or
 * settings the form has no field for) as general messages.
 */
export function mapFieldProblems(
  problems: readonly FieldProblem[],
  knownKeys: readonly string[],
): { byKey: Record<string, string>; general: string[] } {
  const byKey: Record<string, string> = {};
  const general: string[] = [];
  for (const problem of problems) {
    let { key, rest } = keyOfPointer(problem.path);
    if (key === null) {
      const missing = /required property '([^']+)'/.exec(problem.message);
      if (missing?.[1]) key = missing[1];
    }
    if (key !== null && knownKeys.includes(key)) {
      const message = rest ? `${rest}: ${problem.message}` : problem.message;
      byKey[key] = byKey[key] ? `${byKey[key]}; ${message}` : message;
    } else {
      general.push(`${problem.path || '/'} ${problem.message}`.trim());
    }
  }
  return { byKey, general };
}

/** A short hint of a field's constraints and default, for under the control. */
export function constraintHint(field: FormField): string | null {
  const parts: string[] = [];
  if (field.minimum !== undefined && field.maximum !== undefined)
    parts.push(`${field.minimum} to ${field.maximum}`);
  else if (field.minimum !== undefined) parts.push(`at least ${field.minimum}`);
  else if (field.maximum !== undefined) parts.push(`at most ${field.maximum}`);
  if (field.exclusiveMinimum !== undefined) parts.push(`more than ${field.exclusiveMinimum}`);
  if (field.exclusiveMaximum !== undefined) parts.push(`less than ${field.exclusiveMaximum}`);
  if (field.kind === 'json')
    parts.push(
      field.jsonType === 'array' ? 'a JSON array' : field.jsonType === 'object' ? 'a JSON object' : 'JSON',
    );
  if (field.defaultValue !== undefined && !field.secret)
    parts.push(`default ${JSON.stringify(field.defaultValue)}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}
