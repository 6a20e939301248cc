/**
 * Dependency-injection tokens. Each service is constructed in a child container of its own holding only
 * its context and its declared dependencies, so a service cannot reach one it did not declare.
 */
import type { Logger } from './logger.js';
import type { ServiceMetadata } from './types.js';

/** What a service is told about itself; inject it with `@inject(SERVICE_CONTEXT)`. */
export interface ServiceContext {
  /** The service's id. */
  readonly id: string;
  /** The service's validated metadata. */
  readonly metadata: ServiceMetadata;
  /** A logger that adds `service: <id>` to every line. */
  readonly logger: Logger;
}

/** Token of the {@link ServiceContext} in a service's container. */
export const SERVICE_CONTEXT = 'servicedeck:service-context';

/**
 * Token of a dependency's live instance in a service's container.
 *
 * @example
 * ```ts
 * constructor(@inject(serviceToken('redis')) private readonly redis: RedisService) { super(); }
 * ```
 */
export function serviceToken(id: string): string {
  return `servicedeck:service:${id}`;
}
