/**
 * `servicedeck keys rotate`: re-encrypts every stored secret, current and in history, with a new master
 * key, in one transaction.
 */
import path from 'node:path';
import { DEFAULT_KEY_FILE, KEY_ENV } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { readStdin } from '../input.js';
import { cliActor, withManager } from '../runtime.js';

/** Options of `keys rotate`. */
export interface RotateOptions {
  /** Read the new key (32 bytes, base64) from standard input. Needed when the key comes from the environment. */
  readonly newKeyStdin?: boolean;
}

/** The new key from standard input: 32 bytes in base64, checked before anything is changed. */
async function newKeyFromStdin(context: CommandContext): Promise<Uint8Array> {
  if (context.io.stdin?.isTTY) {
    throw new CliError(
      '--new-key-stdin reads the new key from a pipe, not a terminal: ' +
        `printf '%s' "$NEW_KEY" | servicedeck keys rotate --new-key-stdin (generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))").`,
    );
  }
  const text = (await readStdin(context.io.stdin)).trim();
  const key = Buffer.from(text, 'base64');
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32) {
    throw new CliError(
      `The new key on standard input is not a master key: it must be 32 random bytes in base64 (44 characters), not ${text === '' ? 'empty' : `${text.length} characters`}; nothing was changed. Generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))".`,
    );
  }
  return new Uint8Array(key);
}

/** Rotates the master key; prints the new key's id, how many secrets were re-encrypted, and what to do next. */
export async function rotateKeys(context: CommandContext, options: RotateOptions = {}): Promise<number> {
  const { env, cwd } = context.io;
  const fromEnv = Boolean(env[KEY_ENV.key]);
  if (fromEnv && !options.newKeyStdin) {
    throw new CliError(
      `The master key comes from ${KEY_ENV.key}, so the new key must be given: ` +
        `printf '%s' "$NEW_KEY" | servicedeck keys rotate --new-key-stdin. Nothing was changed.`,
    );
  }
  const newKey = options.newKeyStdin ? await newKeyFromStdin(context) : undefined;
  const result = await withManager(context, (manager) =>
    manager.rotateKeys({ ...cliActor(env), ...(newKey ? { newKey } : {}) }),
  );
  context.print(
    `Master key rotated: new key ${result.keyId}; ${result.reencrypted} secret value${result.reencrypted === 1 ? '' : 's'} re-encrypted (current settings and history).`,
  );
  if (fromEnv) {
    context.print(
      `Now set ${KEY_ENV.key} to the new key in every process that uses this database, with the old key in ${KEY_ENV.previous} until each has restarted with it.`,
    );
  } else {
    const file = path.resolve(cwd, env[KEY_ENV.file] ?? DEFAULT_KEY_FILE);
    context.print(`The key file ${file} holds the new key only: back it up (not with the database).`);
  }
  return EXIT.ok;
}
