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
  return { config: copy, problems: (validate.errors ?? []).map(describeProblem) };
}
