/**
 * What kind of Supabase API key a configuration holds, read from the key itself: a legacy JWT key carries
 * its role (`anon`, `service_role`), a new key its prefix (`sb_publishable_`, `sb_secret_`).
 */

/** The kinds of Supabase API keys. */
export type SupabaseKeyRole = 'anon' | 'service_role' | 'publishable' | 'secret' | 'unknown';

/** Whether a key of this kind may read everything (and so must never reach a browser). */
export function isPrivileged(role: SupabaseKeyRole): boolean {
  return role === 'service_role' || role === 'secret';
}

/**
 * The kind of an API key. Nothing is verified here: the signature of a JWT is the server's business.
 *
 * @param key - the API key.
 */
export function keyRole(key: string): SupabaseKeyRole {
  if (key.startsWith('sb_publishable_')) return 'publishable';
  if (key.startsWith('sb_secret_')) return 'secret';
  const [, payload] = key.split('.');
  if (payload === undefined || key.split('.').length !== 3) return 'unknown';
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { role?: unknown };
    if (claims.role === 'anon' || claims.role === 'service_role') return claims.role;
  } catch {
    // Not a JWT after all.
  }
  return 'unknown';
}
