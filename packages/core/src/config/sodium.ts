/** libsodium, loaded once (its WebAssembly module initialises asynchronously). */
import sodium from 'libsodium-wrappers';

let ready: Promise<typeof sodium> | undefined;

/** Resolves with libsodium once it is initialised. */
export function sodiumReady(): Promise<typeof sodium> {
  ready ??= sodium.ready.then(() => sodium);
  return ready;
}
