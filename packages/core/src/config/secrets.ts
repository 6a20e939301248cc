/**
 * Secret values at rest: XChaCha20-Poly1305 (IETF) with a random 192-bit nonce, the service id and key
 * name as associated data (so a value cannot be moved to another service or key), and the id of the
 * master key stored with it.
 */
import { ServiceDeckError } from '../errors.js';
import type { JsonValue } from '../types.js';
import type { Keyring } from './keyring.js';
import { sodiumReady } from './sodium.js';

const FORMAT = 'v1';

/** An encrypted value: the envelope stored in `config_value` and the key id stored in `key_id`. */
export interface EncryptedValue {
  readonly envelope: string;
  readonly keyId: string;
}

function associatedData(serviceId: string, key: string): string {
  return `servicedeck:${serviceId}:${key}`;
}

/** Encrypts a JSON value for `serviceId`'s setting `key` with the keyring's current key. */
export async function encryptValue(
  keyring: Keyring,
  serviceId: string,
  key: string,
  value: JsonValue,
): Promise<EncryptedValue> {
  const sodium = await sodiumReady();
  const { id, key: master } = keyring.current();
  const nonce = sodium.randombytes_buf(sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    JSON.stringify(value),
    associatedData(serviceId, key),
    null,
    nonce,
    master,
  );
  const b64 = (bytes: Uint8Array): string => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
  return { envelope: `${FORMAT}:${b64(nonce)}:${b64(ciphertext)}`, keyId: id };
}

/**
 * Decrypts a stored secret.
 *
 * @throws ServiceDeckError `SD_ERR_SECRET_KEY_MISSING` when its key is not loaded, or
 *   `SD_ERR_SECRET_DECRYPT_FAILED` when the key does not open it (a changed key, or tampering).
 */
export async function decryptValue(
  keyring: Keyring,
  serviceId: string,
  key: string,
  stored: EncryptedValue,
): Promise<JsonValue> {
  const sodium = await sodiumReady();
  const master = keyring.get(stored.keyId);
  const [format, nonce, ciphertext] = stored.envelope.split(':');
  const fail = (reason: string): ServiceDeckError =>
    new ServiceDeckError(
      'SD_ERR_SECRET_DECRYPT_FAILED',
      `The secret "${key}" of "${serviceId}" cannot be decrypted with master key ${stored.keyId}: ${reason}.`,
      {
        details: { serviceId, key, keyId: stored.keyId },
        hint: 'The key file or SERVICEDECK_MASTER_KEY holds a different key with that id, or the stored value was altered; restore the right key, or set the secret again.',
      },
    );
  if (format !== FORMAT || !nonce || !ciphertext)
    throw fail('the stored value is not a servicedeck envelope');
  let plaintext: string;
  try {
    plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sodium.from_base64(ciphertext, sodium.base64_variants.ORIGINAL),
      associatedData(serviceId, key),
      sodium.from_base64(nonce, sodium.base64_variants.ORIGINAL),
      master,
      'text',
    );
  } catch {
    throw fail('authentication failed');
  }
  return JSON.parse(plaintext) as JsonValue;
}
