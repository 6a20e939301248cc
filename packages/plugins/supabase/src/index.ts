/**
 * `@servicedeck/plugin-supabase`: a servicedeck service that owns the bot's supabase-js client, built from
 * the registry's configuration, and checks the project's auth server and REST API with its key.
 * servicedeck discovers it through the `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */

export { HttpEndpointError, type HttpFailureKind } from '@servicedeck/plugin-kit';
export type { SupabaseClient } from '@supabase/supabase-js';
export { SUPABASE_CONFIG_SCHEMA, type SupabaseConfig } from './config.js';
export { isPrivileged, keyRole, type SupabaseKeyRole } from './key.js';
export { SupabaseService } from './supabase.service.js';
export { SUPABASE_PLUGIN_VERSION } from './version.js';
