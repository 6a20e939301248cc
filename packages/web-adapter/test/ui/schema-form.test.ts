import { describe, expect, it } from 'vitest';
import {
  buildFormModel,
  collectSubmission,
  constraintHint,
  type FormField,
  keyOfPointer,
  mapFieldProblems,
  parseRaw,
  type RawValue,
} from '../../ui/src/schema-form.js';
import type { ConfigView } from '../../ui/src/types.js';

const schema = {
  type: 'object',
  required: ['org'],
  properties: {
    token: { type: 'string', writeOnly: true, description: 'A personal access token' },
    org: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
    ratio: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    mode: { type: 'string', enum: ['polling', 'webhook'] },
    verbose: { type: 'boolean', default: false },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    hosts: { type: 'array', items: { type: 'string' } },
    anything: {},
  },
};

const view: Pick<ConfigView, 'schema' | 'fields' | 'values'> = {
  schema,
  values: { token: '••••••', org: 'acme', retries: 3, legacy: 'x' },
  fields: [
    {
      key: 'token',
      value: '••••••',
      source: 'stored',
      secret: true,
      envVar: 'SD_TOKEN',
      types: ['string'],
      required: false,
    },
    {
      key: 'org',
      value: 'acme',
      source: 'stored',
      secret: false,
      envVar: 'SD_ORG',
      types: ['string'],
      required: true,
    },
    {
      key: 'retries',
      value: 3,
      source: 'default',
      secret: false,
      envVar: 'SD_RETRIES',
      types: ['integer'],
      required: false,
    },
  ],
};

const model = buildFormModel(view);
const field = (key: string): FormField => {
  const found = model.find((f) => f.key === key);
  if (!found) throw new Error(`no field ${key}`);
  return found;
};

describe('JSON schema → form model', () => {
  it('GIVEN a schema THEN each property gets the control kind of its type, enum and object/array as JSON', () => {
    expect(Object.fromEntries(model.map((f) => [f.key, f.kind]))).toEqual({
      token: 'string',
      org: 'string',
      retries: 'integer',
      ratio: 'number',
      mode: 'enum',
      verbose: 'boolean',
      labels: 'json',
      hosts: 'json',
      anything: 'json',
      legacy: 'json',
    });
    expect(field('labels').jsonType).toBe('object');
    expect(field('hosts').jsonType).toBe('array');
    expect(field('anything').jsonType).toBeNull();
  });

  it('GIVEN a writeOnly property THEN it is a secret whose control starts empty although a value is stored', () => {
    expect(field('token')).toMatchObject({ secret: true, initial: '', hasValue: true });
  });

  it('GIVEN values, defaults and required THEN initial control values, defaults, descriptions and required are kept', () => {
    expect(field('org')).toMatchObject({ initial: 'acme', required: true, source: 'stored' });
    expect(field('retries')).toMatchObject({ initial: '3', defaultValue: 3, minimum: 0, maximum: 10 });
    expect(field('verbose')).toMatchObject({ initial: false, defaultValue: false });
    expect(field('mode').options).toEqual(['polling', 'webhook']);
    expect(field('token').description).toBe('A personal access token');
  });

  it('GIVEN a stored key the schema does not declare THEN it is shown as an undeclared JSON field', () => {
    expect(field('legacy')).toMatchObject({ declared: false, kind: 'json', initial: '"x"' });
  });

  it('GIVEN no schema THEN fields come from the field list and values', () => {
    const fallback = buildFormModel({
      schema: null,
      values: { a: 1 },
      fields: [
        {
          key: 'a',
          value: 1,
          source: 'stored',
          secret: false,
          envVar: 'A',
          types: ['integer'],
          required: false,
        },
      ],
    });
    expect(fallback.map((f) => [f.key, f.kind, f.initial])).toEqual([['a', 'integer', '1']]);
  });

  it('GIVEN constraints THEN the hint mentions range and default', () => {
    expect(constraintHint(field('retries'))).toBe('0 to 10 · default 3');
    expect(constraintHint(field('token'))).toBeNull();
  });
});

describe('parsing and validating what was typed', () => {
  it('GIVEN integers THEN non-numbers, fractions and out-of-range values are errors', () => {
    expect(parseRaw(field('retries'), '7')).toEqual({ ok: true, value: 7 });
    expect(parseRaw(field('retries'), 'seven')).toEqual({ ok: false, error: 'must be a whole number' });
    expect(parseRaw(field('retries'), '2.5')).toEqual({ ok: false, error: 'must be a whole number' });
    expect(parseRaw(field('retries'), '11')).toEqual({ ok: false, error: 'must be at most 10' });
    expect(parseRaw(field('retries'), '-1')).toEqual({ ok: false, error: 'must be at least 0' });
  });

  it('GIVEN numbers with exclusive bounds THEN the bounds themselves are refused', () => {
    expect(parseRaw(field('ratio'), '0.5')).toEqual({ ok: true, value: 0.5 });
    expect(parseRaw(field('ratio'), '0')).toEqual({ ok: false, error: 'must be more than 0' });
    expect(parseRaw(field('ratio'), '1')).toEqual({ ok: false, error: 'must be less than 1' });
    expect(parseRaw(field('ratio'), '1e-3')).toEqual({ ok: true, value: 0.001 });
  });

  it('GIVEN strings THEN length and pattern are checked, and empty removes the value unless required', () => {
    expect(parseRaw(field('org'), 'a')).toEqual({ ok: false, error: 'must be at least 2 characters' });
    expect(parseRaw(field('org'), 'ACME')).toEqual({ ok: false, error: 'must match ^[a-z]+$' });
    expect(parseRaw(field('org'), '')).toEqual({ ok: false, error: 'is required' });
  });

  it('GIVEN JSON fields THEN parse errors and wrong JSON types are inline errors', () => {
    const broken = parseRaw(field('labels'), '{"a": ');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^is not valid JSON: /);
    expect(parseRaw(field('labels'), '[1]')).toEqual({ ok: false, error: 'must be a JSON object ({ … })' });
    expect(parseRaw(field('hosts'), '["a"]')).toEqual({ ok: true, value: ['a'] });
    expect(parseRaw(field('anything'), '42')).toEqual({ ok: true, value: 42 });
  });

  it('GIVEN an enum THEN only its options are accepted', () => {
    expect(parseRaw(field('mode'), '"webhook"')).toEqual({ ok: true, value: 'webhook' });
    expect(parseRaw(field('mode'), '"push"')).toEqual({
      ok: false,
      error: 'must be one of "polling", "webhook"',
    });
  });

  it('GIVEN a checkbox THEN its state is the boolean', () => {
    expect(parseRaw(field('verbose'), true)).toEqual({ ok: true, value: true });
  });
});

describe('the partial update to send', () => {
  const raws = (entries: Record<string, RawValue>): Map<string, RawValue> => new Map(Object.entries(entries));

  it('GIVEN untouched controls THEN nothing is sent (defaults shown are not stored)', () => {
    expect(collectSubmission(model, new Map())).toEqual({ values: {}, errors: {} });
  });

  it('GIVEN changed controls THEN only those are sent, parsed', () => {
    expect(collectSubmission(model, raws({ retries: '5', verbose: true, labels: '{"bug":"red"}' }))).toEqual({
      values: { retries: 5, verbose: true, labels: { bug: 'red' } },
      errors: {},
    });
  });

  it('GIVEN an empty secret THEN it is kept unchanged; a typed one is sent', () => {
    expect(collectSubmission(model, raws({ token: '' })).values).toEqual({});
    expect(collectSubmission(model, raws({ token: 'ghp_new' })).values).toEqual({ token: 'ghp_new' });
  });

  it('GIVEN a cleared optional value THEN null is sent to remove it', () => {
    const withHosts = buildFormModel({ ...view, values: { ...view.values, hosts: ['a'] } });
    expect(collectSubmission(withHosts, raws({ hosts: '' })).values).toEqual({ hosts: null });
  });

  it('GIVEN invalid controls THEN errors are reported per key and those values are not sent', () => {
    const result = collectSubmission(model, raws({ retries: '20', org: '', ratio: '0.2' }));
    expect(result.errors).toEqual({ retries: 'must be at most 10', org: 'is required' });
    expect(result.values).toEqual({ ratio: 0.2 });
  });

  it('GIVEN a required setting without value or default THEN it is an error even untouched', () => {
    const empty = buildFormModel({ schema, values: {}, fields: [] });
    expect(collectSubmission(empty, new Map()).errors).toEqual({ org: 'is required' });
  });
});

describe('server field problems → inline errors', () => {
  it('GIVEN JSON pointers THEN the top-level key and the rest are found', () => {
    expect(keyOfPointer('/values/retries')).toEqual({ key: 'retries', rest: '' });
    expect(keyOfPointer('/body/values/labels/a~1b')).toEqual({ key: 'labels', rest: 'a/b' });
    expect(keyOfPointer('/values')).toEqual({ key: null, rest: '' });
    expect(keyOfPointer('/retries')).toEqual({ key: 'retries', rest: '' });
  });

  it('GIVEN problems THEN known keys get inline messages and the rest is general', () => {
    const mapped = mapFieldProblems(
      [
        { path: '/values/retries', message: 'must be <= 10' },
        { path: '/values/labels/bug', message: 'must be string' },
        { path: '/values', message: "must have required property 'org'" },
        { path: '/values/unknown', message: 'is not allowed' },
        { path: '/values/retries', message: 'must be integer' },
      ],
      ['retries', 'labels', 'org'],
    );
    expect(mapped.byKey).toEqual({
      retries: 'must be <= 10; must be integer',
      labels: 'bug: must be string',
      org: "must have required property 'org'",
    });
    expect(mapped.general).toEqual(['/values/unknown is not allowed']);
  });
});
