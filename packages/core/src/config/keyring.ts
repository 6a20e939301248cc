/**
 * Master keys for secret configuration values: from the environment (`SERVICEDECK_MASTER_KEY`) or from a
 * key file created with owner-only permissions. Each key has an id derived from the key itself, stored
 * beside every value it encrypts, so a missing or changed key is named, never guessed at.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ServiceDeckError } from '../errors.js';
import { sodiumReady } from './sodium.js';

/** Environment variables of the keyring. */
export const KEY_ENV = {
  /** The current master key, 32 bytes in base64. */
  key: 'SERVICEDECK_MASTER_KEY',
  /** Earlier keys still needed to read values (comma-separated base64), during a rotation. */
  previous: 'SERVICEDECK_MASTER_KEY_PREVIOUS',
  /** Path of the key file (default `.servicedeck/master.key` in the working directory). */
  file: 'SERVICEDECK_KEY_FILE',
} as const;

/** The default key file, relative to the working directory. */
export const DEFAULT_KEY_FILE = path.join('.servicedeck', 'master.key');

const KEY_BYTES = 32;

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

/** Where the keys come from. */
export type KeySource = { readonly kind: 'env' } | { readonly kind: 'file'; readonly file: string };

/** The master keys: one current key to encrypt with, and every key that can decrypt. */
export class Keyring {
  private constructor(
    private currentId: string,
    private readonly keys: Map<string, Uint8Array>,
    public readonly source: KeySource,
  ) {}

  /** The id of the key new values are encrypted with. */
  public get currentKeyId(): string {
    return this.currentId;
  }

  /** Ids of every loaded key. */
  public get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The current key. */
  public current(): { id: string; key: Uint8Array } {
    return { id: this.currentId, key: this.keys.get(this.currentId) as Uint8Array };
  }

  /**
   * The key with this id.
   *
   * @throws ServiceDeckError `SD_ERR_SECRET_KEY_MISSING` saying which key is needed and where keys come from.
   */
  public get(id: string): Uint8Array {
    const key = this.keys.get(id);
    if (key) return key;
    const where =
      this.source.kind === 'env'
        ? `${KEY_ENV.key} (and ${KEY_ENV.previous})`
        : `the key file ${this.source.file}`;
    throw new ServiceDeckError(
      'SD_ERR_SECRET_KEY_MISSING',
      `A secret was encrypted with master key ${id}, which is not in ${where} (loaded: ${this.keyIds.join(', ') || 'none'}).`,
      {
        details: { keyId: id, loaded: this.keyIds },
        hint: 'Restore the key file or set the master key that was in use; without it the secret cannot be read and must be set again.',
      },
    );
  }

  /** Adds a key and makes it current (used by rotation). */
  public adopt(id: string, key: Uint8Array): void {
    this.keys.set(id, key);
    this.currentId = id;
  }

  /** Forgets every key but the current one (after a rotation committed). */
  public dropOldKeys(): void {
    for (const id of this.keys.keys()) if (id !== this.currentId) this.keys.delete(id);
  }

  /** A keyring from explicit keys (tests, and hosts that manage keys themselves). */
  public static async fromKeys(
    current: Uint8Array,
    previous: Uint8Array[] = [],
    source: KeySource = { kind: 'env' },
  ): Promise<Keyring> {
    const keys = new Map<string, Uint8Array>();
    for (const key of previous) keys.set(await keyId(key), key);
    const id = await keyId(current);
    keys.set(id, current);
    return new Keyring(id, keys, source);
  }

  /**
   * Loads the keyring: from `SERVICEDECK_MASTER_KEY` when set, else from the key file. A missing key file
   * is created (directory 0700, file 0600) only when `create` is true — never when secrets already exist,
   * since a new key could not read them.
   *
   * @returns the keyring, or undefined when there is no key and `create` is false.
   */
  public static async load(options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    create: boolean;
  }): Promise<Keyring | undefined> {
    const env = options.env ?? process.env;
    const cwd = options.cwd ?? process.cwd();
    const fromEnv = env[KEY_ENV.key];
    if (fromEnv) {
      const previous = (env[KEY_ENV.previous] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '')
        .map((v, i) => decodeKey(v, `${KEY_ENV.previous} #${i + 1}`));
      return Keyring.fromKeys(decodeKey(fromEnv, KEY_ENV.key), previous, { kind: 'env' });
    }
    const file = path.resolve(cwd, env[KEY_ENV.file] ?? DEFAULT_KEY_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new ServiceDeckError(
          'SD_ERR_SECRET_KEY_MISSING',
          `Cannot read the key file ${file}: ${describeError(error)}.`,
          {
            cause: error,
            hint: 'Check its permissions, or set SERVICEDECK_MASTER_KEY.',
          },
        );
      }
    }
    if (text === undefined) {
      if (!options.create) return undefined;
      const sodium = await sodiumReady();
      const key = sodium.randombytes_buf(KEY_BYTES);
      const keyring = await Keyring.fromKeys(key, [], { kind: 'file', file });
      await keyring.save();
      return keyring;
    }
    let parsed: KeyFile;
    try {
      parsed = JSON.parse(text) as KeyFile;
      if (
        typeof parsed.current !== 'string' ||
        typeof parsed.keys !== 'object' ||
        !parsed.keys[parsed.current]
      ) {
        throw new Error('it must be {"current": "<id>", "keys": {"<id>": "<base64>"}}');
      }
    } catch (error) {
      throw new ServiceDeckError(
        'SD_ERR_SECRET_KEY_MISSING',
        `The key file ${file} is damaged: ${describeError(error)}.`,
        {
          cause: error,
          hint: 'Restore it from a backup; without it the stored secrets cannot be read.',
        },
      );
    }
    const keys = new Map<string, Uint8Array>();
    for (const [id, encoded] of Object.entries(parsed.keys)) {
      const key = decodeKey(encoded, `key ${id} in ${file}`);
      const actual = await keyId(key);
      if (actual !== id) {
        throw new ServiceDeckError(
          'SD_ERR_SECRET_KEY_MISSING',
          `The key file ${file} is damaged: key ${id} has the id ${actual}.`,
          {
            hint: 'Restore it from a backup.',
          },
        );
      }
      keys.set(id, key);
    }
    return new Keyring(parsed.current, keys, { kind: 'file', file });
  }

  /** Writes the key file (only for file-backed keyrings), atomically, owner-only. */
  public async save(): Promise<void> {
    if (this.source.kind !== 'file') return;
    const { file } = this.source;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const body: KeyFile = {
      current: this.currentId,
      keys: Object.fromEntries([...this.keys].map(([id, key]) => [id, Buffer.from(key).toString('base64')])),
    };
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  }
}

function decodeKey(encoded: string, label: string): Uint8Array {
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new ServiceDeckError(
      'SD_ERR_SECRET_KEY_MISSING',
      `${label} is not a master key: it must be ${KEY_BYTES} bytes in base64, not ${key.length}.`,
      {
        hint: "Generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64'))\"",
      },
    );
  }
  return new Uint8Array(key);
}

/** A key's id: `k-` and the first 12 hex digits of its BLAKE2b hash. */
export async function keyId(key: Uint8Array): Promise<string> {
  const sodium = await sodiumReady();
  return `k-${sodium.to_hex(sodium.crypto_generichash(16, key, null)).slice(0, 12)}`;
}

/** Generates a new random master key. */
export async function generateKey(): Promise<Uint8Array> {
  return (await sodiumReady()).randombytes_buf(KEY_BYTES);
}
