import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CommandContext, LogTap } from '../../src/context.js';
import { Progress, withProgress } from '../../src/output/progress.js';

const CLEAR = `\r${String.fromCharCode(27)}[2K`;

function fakeContext(isTTY: boolean): { context: CommandContext; err: () => string; tap: LogTap } {
  const stderr = Object.assign(new PassThrough(), { isTTY });
  let written = '';
  stderr.on('data', (chunk: Buffer) => {
    written += chunk.toString('utf8');
  });
  const tap: LogTap = { around: undefined };
  const context = { io: { stderr }, logTap: tap } as unknown as CommandContext;
  return { context, err: () => written, tap };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Progress', () => {
  it('GIVEN work on a terminal that outlasts the delay THEN a spinner, the label and the count show, and the line is erased at the end', async () => {
    const { context, err, tap } = fakeContext(true);
    const progress = new Progress(context, 'checking…', { total: 3, afterMs: 0 });
    await sleep(20);
    progress.tick();
    await sleep(250);
    expect(err()).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] checking… 1\/3/);
    const frames = new Set(err().match(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g));
    expect(frames.size).toBeGreaterThan(1);
    expect(tap.around).toBeDefined();
    progress.end();
    expect(err().endsWith(CLEAR)).toBe(true);
    expect(tap.around).toBeUndefined();
    const after = err().length;
    await sleep(150);
    expect(err().length).toBe(after);
  });

  it('GIVEN a log line while the progress line shows THEN the line is erased, the log written, and the line drawn again', async () => {
    const { context, err, tap } = fakeContext(true);
    const progress = new Progress(context, 'opening the registry…', { afterMs: 0 });
    await sleep(20);
    const before = err().length;
    tap.around?.(() => context.io.stderr.write('{"level":"warn"}\n'));
    const written = err().slice(before);
    expect(written.startsWith(`${CLEAR}{"level":"warn"}\n${CLEAR}`)).toBe(true);
    expect(written).toMatch(/opening the registry…$/);
    progress.end();
  });

  it('GIVEN quick work THEN nothing is written', async () => {
    const { context, err } = fakeContext(true);
    expect(await withProgress(context, 'migrating…', async () => 42)).toBe(42);
    await sleep(20);
    expect(err()).toBe('');
  });

  it('GIVEN output that is not a terminal THEN nothing is written however long the work takes', async () => {
    const { context, err } = fakeContext(false);
    await withProgress(context, 'discovering services…', () => sleep(60), { afterMs: 0 });
    expect(err()).toBe('');
  });
});
