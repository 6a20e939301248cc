/**
 * `@servicedeck/plugin-redis`: a servicedeck service that owns the bot's Redis (or Valkey) client.
 * servicedeck discovers it through the `servicedeck` marker of this package.
 *
 * @packageDocumentation
 */
export type { Redis } from 'ioredis';
export { REDIS_CONFIG_SCHEMA, type RedisConfig } from './config.js';
export {
  describeRedisError,
  type RedisFailure,
  type RedisFailureContext,
  type RedisFailureKind,
} from './errors.js';
export { RedisService } from './redis.service.js';
export { REDIS_PLUGIN_VERSION } from './version.js';
