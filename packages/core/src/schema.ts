/**
 * Configuration schemas: compiled once with ajv (JSON Schema 2020-12, formats included) and used to apply
 * defaults and validate configuration.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { describeError, ServiceDeckError } from './errors.js';
import type { ConfigSchema, JsonObject } from './types.js';

// ajv-formats is CommonJS with a default export; NodeNext sees the module object.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

const ajv = new Ajv2020({
  allErrors: true,
  useDefaults: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  keywords: ['x-secret'],
});
addFormats(ajv);

const compiled = new WeakMap<ConfigSchema, ValidateFunction>();
/** Compiled validators by schema text: plugins built from one template share a compilation. */
const compiledByText = new Map<string, ValidateFunction>();

/**
 * Compiles a service's configuration schema, once per schema object.
 *
 * @throws ServiceDeckError `SD_ERR_INVALID_CONFIG_SCHEMA` naming the service, its origin and ajv's reason.
 */
export function compileConfigSchema(
  schema: ConfigSchema,
  serviceId: string,
  origin: string,
): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const text = JSON.stringify(schema);
  const sameText = compiledByText.get(text);
  if (sameText) {
    compiled.set(schema, sameText);
    return sameText;
  }
  let validate: ValidateFunction;
  try {
    if (!ajv.validateSchema(schema)) {
      const seen = new Set<string>();
      const reasons: string[] = [];
      for (const error of ajv.errors ?? []) {
        const at = error.instancePath || '/';
        if (seen.has(at)) continue;
        seen.add(at);
        reasons.push(`at ${at}: ${error.message ?? error.keyword}`);
      }
      throw new Error(reasons.join('; '));
    }
    validate = ajv.compile(schema);
  } catch (error) {
    throw new ServiceDeckError(
      'SD_ERR_INVALID_CONFIG_SCHEMA',
      `The configSchema of "${serviceId}" in ${origin} is not a valid JSON Schema (2020-12): ${describeError(error)}.`,
      { cause: error, details: { serviceId, origin }, hint: 'Fix the schema and start again.' },
    );
  }
  compiled.set(schema, validate);
  compiledByText.set(text, validate);
  return validate;
}

/** One invalid field of a configuration. */
export interface ConfigProblem {
  /** JSON Pointer to the field (`/url`), or `""` for the whole object. */
  readonly path: string;
  /** Why it is invalid, in plain words. */
  readonly message: string;
}

function describeProblem(error: ErrorObject): ConfigProblem {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return { path: `${error.instancePath}/${missing}`, message: `${missing} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return { path: `${error.instancePath}/${extra}`, message: `${extra} is not a known setting` };
  }
  return { path: error.instancePath, message: error.message ?? `fails ${error.keyword}` };
}

/** `a`, `a and b`, `a, b and c`. */
function joinAnd(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Problems for ajv's errors, where alternatives of required settings (`anyOf: [{ required: ['url'] },
 * { required: ['host', 'database'] }]`) read as one problem — "either url, or host and database, is
 * required" — instead of every branch's errors followed by "must match a schema in anyOf".
 */
function describeProblems(errors: readonly ErrorObject[]): ConfigProblem[] {
  const folded = new Set<ErrorObject>();
  const alternatives = new Map<ErrorObject, ConfigProblem>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    const prefix = `${error.schemaPath}/`;
    const inner = errors.filter((e) => e.schemaPath.startsWith(prefix));
    if (inner.length === 0 || !inner.every((e) => e.keyword === 'required')) continue;
    const branches = new Map<string, string[]>();
    for (const e of inner) {
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] as string;
      const missing = (e.params as { missingProperty: string }).missingProperty;
      branches.set(branch, [...(branches.get(branch) ?? []), missing]);
    }
    const options = [...branches.values()].map(joinAnd);
    const message =
      options.length === 1 ? `${options[0]} is required` : `either ${options.join(', or ')}, is required`;
    alternatives.set(error, { path: error.instancePath || '/', message });
    for (const e of inner) folded.add(e);
  }
  const problems: ConfigProblem[] = [];
  for (const error of errors) {
    const alternative = alternatives.get(error);
    if (alternative) problems.push(alternative);
    else if (!folded.has(error)) problems.push(describeProblem(error));
  }
  return problems;
}

/** The result of checking a configuration against its schema. */
export interface ConfigCheck {
  /** The configuration with schema defaults applied. */
  readonly config: JsonObject;
  /** Every invalid field; empty when the configuration is valid. */
  readonly problems: readonly ConfigProblem[];
}

/**
 * Applies the schema's defaults to a copy of `config` and validates it. A service without a schema
 * accepts any object.
 */
export function checkConfig(schema: ConfigSchema | null, config: JsonObject, serviceId: string): ConfigCheck {
  const copy = structuredClone(config);
  if (!schema) return { config: copy, problems: [] };
  const validate = compileConfigSchema(schema, serviceId, `service "${serviceId}"`);
  if (validate(copy)) return { config: copy, problems: [] };
  return { config: copy, problems: describeProblems(validate.errors ?? []) };
}
