/**
 * Values from the command line and from standard input: `key=value` arguments, a value read from a pipe
 * (`--stdin`), and a prompt on a terminal that does not echo what is typed.
 */
import { StringDecoder } from 'node:string_decoder';
import type { JsonValue } from '@servicedeck/core';
import type { Input, Io } from './context.js';
import { CliError, EXIT } from './errors.js';

/**
 * A value given as text: parsed as JSON when it parses (`5`, `true`, `{"a":1}`, `"quoted"`), else the text
 * itself as a string — the same rule as the environment overrides `SERVICEDECK_SVC_<SERVICE>__<KEY>`.
 */
export function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

/** One `key=value` argument, or a bare `key` whose value is read from standard input or a prompt. */
export type Assignment =
  | { readonly key: string; readonly text: string }
  | { readonly key: string; readonly text: undefined };

/** Splits `key=value` at the first `=`; a word without `=` is a bare key. */
export function parseAssignment(argument: string): Assignment {
  const at = argument.indexOf('=');
  const key = (at < 0 ? argument : argument.slice(0, at)).trim();
  if (key === '') {
    throw new CliError(`"${argument}" has no setting name: write key=value (for example url=https://…).`);
  }
  return at < 0 ? { key, text: undefined } : { key, text: argument.slice(at + 1) };
}

/** Everything on standard input until it ends, without one final line break. */
export async function readStdin(input: Input | undefined): Promise<string> {
  if (!input) return '';
  const decoder = new StringDecoder('utf8');
  let text = '';
  for await (const chunk of input) {
    text += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
  }
  text += decoder.end();
  return text.replace(/\r?\n$/, '');
}

/**
 * Asks for a value on the terminal with echo off: `question` goes to standard error, the typed characters
 * are not shown, Enter ends, Backspace erases, Ctrl-C or Ctrl-D on an empty line cancels.
 *
 * @throws CliError when the input is not a terminal, or on cancel (nothing was changed).
 */
export function promptHidden(io: Io, question: string): Promise<string> {
  const input = io.stdin;
  if (!input?.isTTY || typeof input.setRawMode !== 'function') {
    return Promise.reject(new CliError('Standard input is not a terminal, so no value can be asked for.'));
  }
  const setRawMode = input.setRawMode.bind(input);
  io.stderr.write(question);
  setRawMode(true);
  input.resume();
  const decoder = new StringDecoder('utf8');
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      input.off('data', onData);
      input.off('end', onEnd);
      setRawMode(false);
      input.pause();
      io.stderr.write('\n');
    };
    const cancel = (): void => {
      finish();
      reject(new CliError('Cancelled; nothing was changed.', EXIT.failed));
    };
    function onEnd(): void {
      finish();
      resolve(value);
    }
    function onData(chunk: Buffer | string): void {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      for (const char of text) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003' || (char === '\u0004' && value === '')) {
          cancel();
          return;
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else if (char >= ' ' || char === '\t') value += char;
      }
    }
    input.on('data', onData);
    input.on('end', onEnd);
  });
}
