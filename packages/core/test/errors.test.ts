import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeError, ERROR_CODES, isServiceDeckError, ServiceDeckError } from '../src/errors.js';

const DOC = new URL('../../../docs/errors.md', import.meta.url);

describe('error codes', () => {
  it('GIVEN docs/errors.md THEN it documents every code with its category, and no code that does not exist', async () => {
    const doc = await readFile(DOC, 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`(SD_ERR_[A-Z_]+)`\s*\|\s*([a-z-]+)\s*\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    const documented = Object.fromEntries(rows);
    expect(rows.length).toBe(Object.keys(documented).length);
    expect(documented).toEqual(
      Object.fromEntries(Object.entries(ERROR_CODES).map(([code, def]) => [code, def.category])),
    );
    const mentioned = new Set(doc.match(/SD_ERR_[A-Z_]+/g));
    expect([...mentioned].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('GIVEN an error with a hint THEN the message ends with what to do and the category follows the code', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new ServiceDeckError('SD_ERR_DATABASE_UNAVAILABLE', 'Cannot open the database.', {
      cause,
      hint: 'Start PostgreSQL.',
      details: { url: 'postgres://x' },
    });
    expect(error.message).toBe('Cannot open the database. Start PostgreSQL.');
    expect(error.category).toBe('unavailable');
    expect(error.cause).toBe(cause);
    expect(error.toJSON()).toEqual({
      code: 'SD_ERR_DATABASE_UNAVAILABLE',
      category: 'unavailable',
      message: 'Cannot open the database. Start PostgreSQL.',
      details: { url: 'postgres://x' },
    });
    expect(isServiceDeckError(error)).toBe(true);
    expect(isServiceDeckError(error, 'SD_ERR_SERVICE_NOT_FOUND')).toBe(false);
    expect(isServiceDeckError(cause)).toBe(false);
  });

  it('GIVEN any thrown value THEN describeError gives readable text', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ reason: 'x' })).toBe('{"reason":"x"}');
    expect(describeError(undefined)).toBe('undefined');
  });
});
