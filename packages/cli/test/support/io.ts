import { PassThrough, Readable } from 'node:stream';
import type { Input, Io } from '../../src/context.js';

/** Captured standard output and error for running commands in-process. */
export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

/**
 * Captures standard output and error. `stdin` is what standard input holds (a pipe that ends after it), or
 * a stream of the test's own (a terminal, say); without it, standard input is an empty pipe.
 */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}, stdin?: string | Input): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const input = typeof stdin === 'string' || stdin === undefined ? Readable.from([stdin ?? '']) : stdin;
  return { stdin: input, stdout, stderr, env, cwd, out: () => out, err: () => err };
}

/** A terminal on standard input: what is typed is pushed with `type`; raw mode changes are recorded. */
export interface FakeTerminal extends PassThrough {
  readonly isTTY: true;
  readonly rawModes: boolean[];
  setRawMode(mode: boolean): FakeTerminal;
  type(text: string): void;
}

export function fakeTerminal(): FakeTerminal {
  const stream = new PassThrough() as PassThrough & { isTTY: boolean; rawModes: boolean[] };
  const terminal = Object.assign(stream, {
    isTTY: true as const,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      terminal.rawModes.push(mode);
      return terminal;
    },
    type(text: string) {
      terminal.write(text);
    },
  });
  return terminal as unknown as FakeTerminal;
}
