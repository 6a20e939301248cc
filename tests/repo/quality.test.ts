/**
 * The repository's own checks, so CI enforces them: Biome (lint and format) passes, and every package
 * type-checks under the strict shared configuration.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(REPO, 'node_modules', '.bin');

function packageDirs(): string[] {
  const dirs = [
    'packages/core',
    'packages/cli',
    'packages/plugin-kit',
    'packages/discord-adapter',
    'packages/web-adapter',
    'examples/bot',
  ];
  for (const plugin of readdirSync(path.join(REPO, 'packages/plugins')))
    dirs.push(`packages/plugins/${plugin}`);
  return dirs;
}

async function outcome(file: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the repository', () => {
  it('GIVEN the sources THEN Biome finds no lint or format error', { timeout: 120_000 }, async () => {
    const { code, output } = await outcome(
      path.join(BIN, 'biome'),
      ['check', '--error-on-warnings', '.'],
      REPO,
    );
    expect(
      output
        .split('\n')
        .filter((line) => /error|×/.test(line))
        .slice(0, 20),
      output,
    ).toEqual([]);
    expect(code).toBe(0);
  });

  it.each(packageDirs())(
    'GIVEN %s THEN it type-checks under the strict configuration',
    { timeout: 120_000 },
    async (dir) => {
      const { code, output } = await outcome(
        path.join(BIN, 'tsc'),
        ['-p', 'tsconfig.json'],
        path.join(REPO, dir),
      );
      expect(output).toBe('');
      expect(code).toBe(0);
    },
  );
});
