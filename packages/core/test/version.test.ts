import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SERVICEDECK_VERSION } from '../src/version.js';

describe('SERVICEDECK_VERSION', () => {
  it('GIVEN the package THEN the exported version is the one in package.json', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SERVICEDECK_VERSION).toBe(manifest.version);
  });
});
