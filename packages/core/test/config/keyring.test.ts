import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateKey, Keyring, keyId } from '../../src/config/keyring.js';
import { decryptValue, encryptValue } from '../../src/config/secrets.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-keys-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Keyring', () => {
  it('GIVEN no key anywhere THEN a key file is created owner-only on first use and read back the same', async () => {
    expect(await Keyring.load({ env: {}, cwd: dir, create: false })).toBeUndefined();
    const created = await Keyring.load({ env: {}, cwd: dir, create: true });
    const file = path.join(dir, '.servicedeck', 'master.key');
    expect(created?.source).toEqual({ kind: 'file', file });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    const loaded = await Keyring.load({ env: {}, cwd: dir, create: false });
    expect(loaded?.currentKeyId).toBe(created?.currentKeyId);
    expect(loaded?.currentKeyId).toMatch(/^k-[0-9a-f]{12}$/);
  });

  it('GIVEN SERVICEDECK_MASTER_KEY THEN it is used; a malformed one is refused with how to make one', async () => {
    const key = await generateKey();
    const env = { SERVICEDECK_MASTER_KEY: Buffer.from(key).toString('base64') };
    const keyring = await Keyring.load({ env, cwd: dir, create: true });
    expect(keyring?.source).toEqual({ kind: 'env' });
    expect(keyring?.currentKeyId).toBe(await keyId(key));
    await expect(
      Keyring.load({ env: { SERVICEDECK_MASTER_KEY: 'c2hvcnQ=' }, cwd: dir, create: true }),
    ).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_KEY_MISSING',
      message: expect.stringMatching(
        /^SERVICEDECK_MASTER_KEY is not a master key: it must be 32 bytes in base64, not 5\. Generate one with: /,
      ),
    });
  });

  it('GIVEN a damaged key file THEN loading says so instead of making a new key', async () => {
    const file = path.join(dir, 'bad.key');
    await writeFile(file, '{"current": "k-1", "keys": {}}');
    await expect(
      Keyring.load({ env: { SERVICEDECK_KEY_FILE: file }, cwd: dir, create: true }),
    ).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_KEY_MISSING',
      message: expect.stringContaining(`The key file ${file} is damaged:`),
    });
    expect(await readFile(file, 'utf8')).toBe('{"current": "k-1", "keys": {}}');
  });
});

describe('secrets', () => {
  it('GIVEN a value THEN it round-trips, and the envelope holds neither the value nor the key', async () => {
    const keyring = await Keyring.fromKeys(await generateKey());
    const sealed = await encryptValue(keyring, 'github', 'token', 'ghp_supersecret');
    expect(sealed.keyId).toBe(keyring.currentKeyId);
    expect(sealed.envelope).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(sealed.envelope).not.toContain('supersecret');
    expect(await decryptValue(keyring, 'github', 'token', sealed)).toBe('ghp_supersecret');
  });

  it('GIVEN an envelope moved to another service or key, or altered THEN it does not open', async () => {
    const keyring = await Keyring.fromKeys(await generateKey());
    const sealed = await encryptValue(keyring, 'github', 'token', 'ghp_supersecret');
    await expect(decryptValue(keyring, 'sentry', 'token', sealed)).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_DECRYPT_FAILED',
      message: expect.stringMatching(
        /^The secret "token" of "sentry" cannot be decrypted with master key k-[0-9a-f]{12}: authentication failed\./,
      ),
    });
    await expect(decryptValue(keyring, 'github', 'dsn', sealed)).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_DECRYPT_FAILED',
    });
    const altered = { ...sealed, envelope: `${sealed.envelope.slice(0, -6)}AAAAA=` };
    await expect(decryptValue(keyring, 'github', 'token', altered)).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_DECRYPT_FAILED',
    });
  });

  it('GIVEN a value sealed with a key that is not loaded THEN the error names the key needed', async () => {
    const old = await Keyring.fromKeys(await generateKey());
    const sealed = await encryptValue(old, 'github', 'token', 'x');
    const other = await Keyring.fromKeys(await generateKey());
    await expect(decryptValue(other, 'github', 'token', sealed)).rejects.toMatchObject({
      code: 'SD_ERR_SECRET_KEY_MISSING',
      message: expect.stringContaining(
        `A secret was encrypted with master key ${sealed.keyId}, which is not in SERVICEDECK_MASTER_KEY`,
      ),
    });
  });
});
