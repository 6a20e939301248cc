import { describe, expect, it } from 'vitest';
import {
  diffConfig,
  envOverrides,
  envVarName,
  REDACTED,
  redact,
  secretKeys,
} from '../../src/config/fields.js';

const schema = {
  type: 'object',
  properties: {
    url: { type: 'string' },
    token: { type: 'string', 'x-secret': true },
    password: { type: 'string', writeOnly: true },
    auth: {
      type: 'object',
      properties: { user: { type: 'string' }, key: { type: 'string', 'x-secret': true } },
    },
    retries: { type: 'integer' },
  },
};

describe('configuration fields', () => {
  it('GIVEN a schema THEN fields marked x-secret or writeOnly, even nested, are secret', () => {
    expect([...secretKeys(schema)].sort()).toEqual(['auth', 'password', 'token']);
    expect(secretKeys(null).size).toBe(0);
  });

  it('GIVEN a service and setting THEN the override variable is SERVICEDECK_SVC_<SERVICE>__<KEY> in upper snake case', () => {
    expect(envVarName('http', 'timeoutMs')).toBe('SERVICEDECK_SVC_HTTP__TIMEOUT_MS');
    expect(envVarName('wolfram-alpha', 'appId')).toBe('SERVICEDECK_SVC_WOLFRAM_ALPHA__APP_ID');
    const overrides = envOverrides(schema, 'api', {
      SERVICEDECK_SVC_API__RETRIES: '5',
      SERVICEDECK_SVC_API__URL: 'https://x',
      OTHER: '1',
    });
    expect(Object.fromEntries([...overrides].map(([k, v]) => [k, v.value]))).toEqual({
      retries: 5,
      url: 'https://x',
    });
  });

  it('GIVEN values with secrets THEN redaction and diffs never show a secret, but show that it changed', () => {
    const secrets = secretKeys(schema);
    expect(redact({ url: 'u', token: 't', password: null }, secrets)).toEqual({
      url: 'u',
      token: REDACTED,
      password: null,
    });
    expect(diffConfig({ url: 'a', token: 'old', retries: 1 }, { url: 'b', token: 'new' }, secrets)).toEqual([
      { key: 'retries', from: 1 },
      { key: 'token', from: REDACTED, to: REDACTED },
      { key: 'url', from: 'a', to: 'b' },
    ]);
  });
});
