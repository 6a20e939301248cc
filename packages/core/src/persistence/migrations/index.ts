import { initialSchema } from './0001-initial-schema.js';
import { apiTokens } from './0002-api-tokens.js';
import type { Migration } from './types.js';

export type { Migration, MigrationContext } from './types.js';

/** Every migration, oldest first. Listed explicitly so the compiled package needs no file scanning. */
export const MIGRATIONS: readonly Migration[] = [initialSchema, apiTokens];
