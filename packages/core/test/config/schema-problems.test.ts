import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/schema.js';
import type { ConfigSchema } from '../../src/types.js';

const CONNECTION: ConfigSchema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    host: { type: 'string' },
    database: { type: 'string' },
    port: { type: 'integer', maximum: 65535 },
  },
  anyOf: [{ required: ['url'] }, { required: ['host', 'database'] }],
  additionalProperties: false,
};

describe('checkConfig problems', () => {
  it('GIVEN none of the alternatives of required settings THEN one problem names each alternative', () => {
    expect(checkConfig(CONNECTION, {}, 'db').problems).toEqual([
      { path: '/', message: 'either url, or host and database, is required' },
    ]);
  });

  it('GIVEN half of an alternative THEN the problem names what is still missing of each', () => {
    expect(checkConfig(CONNECTION, { host: 'db.internal' }, 'db').problems).toEqual([
      { path: '/', message: 'either url, or database, is required' },
    ]);
  });

  it('GIVEN one alternative complete THEN there is no problem', () => {
    expect(checkConfig(CONNECTION, { url: 'postgres://db/bot' }, 'db').problems).toEqual([]);
    expect(checkConfig(CONNECTION, { host: 'db', database: 'bot' }, 'db').problems).toEqual([]);
  });

  it('GIVEN other invalid settings beside the missing alternatives THEN each keeps its own problem', () => {
    expect(checkConfig(CONNECTION, { port: 70000, colour: 'red' }, 'db').problems).toEqual([
      { path: '/', message: 'either url, or host and database, is required' },
      { path: '/colour', message: 'colour is not a known setting' },
      { path: '/port', message: 'must be <= 65535' },
    ]);
  });

  it('GIVEN alternatives that are not only required settings THEN ajv’s own words are kept', () => {
    const schema: ConfigSchema = {
      type: 'object',
      properties: { mode: { type: 'string' } },
      anyOf: [{ properties: { mode: { const: 'a' } } }, { properties: { mode: { const: 'b' } } }],
    };
    const messages = checkConfig(schema, { mode: 'c' }, 'x').problems.map((p) => p.message);
    expect(messages).toContain('must match a schema in anyOf');
  });
});
