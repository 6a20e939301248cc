import { PassThrough } from 'node:stream';
import type { Io } from '../../src/context.js';

/** Captured standard output and error for running commands in-process. */
export interface CapturedIo extends Io {
  out(): string;
  err(): string;
}

export function captureIo(cwd: string, env: NodeJS.ProcessEnv = {}): CapturedIo {
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
  return { stdout, stderr, env, cwd, out: () => out, err: () => err };
}
