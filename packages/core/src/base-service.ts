/**
 * A base class for services: metadata from `@Service()`, configuration kept on the instance, and
 * enable/disable that do nothing until overridden.
 */
import { ServiceDeckError } from './errors.js';
import { getDeclaredMetadata, normalizeMetadata } from './metadata.js';
import type {
  HealthCheckResult,
  JsonObject,
  ServiceInterface,
  ServiceMetadata,
  ServiceStatus,
} from './types.js';

/**
 * Extend this to write a service with only the parts that matter: `healthCheck`, and `enable`/`disable`
 * when the service holds connections or timers. `this.config` holds the validated configuration.
 */
export abstract class BaseService<TConfig extends JsonObject = JsonObject> implements ServiceInterface {
  /** The configuration last applied (schema defaults included). */
  protected config: TConfig = {} as TConfig;

  /** Checks the service's health. */
  public abstract healthCheck(
    signal?: AbortSignal,
  ): Promise<HealthCheckResult | ServiceStatus> | HealthCheckResult | ServiceStatus;

  /** The metadata declared with `@Service()` or a static `SERVICE_METADATA`. */
  public getMetadata(): ServiceMetadata {
    const declared = getDeclaredMetadata(this.constructor);
    if (declared === undefined) {
      throw new ServiceDeckError(
        'SD_ERR_INVALID_METADATA',
        `${this.constructor.name} declares no metadata.`,
        {
          hint: 'Decorate the class with @Service({...}) or override getMetadata().',
        },
      );
    }
    return normalizeMetadata(declared, this.constructor.name);
  }

  /** Starts the service. */
  public enable(): Promise<void> | void {}

  /** Stops the service. */
  public disable(): Promise<void> | void {}

  /** The configuration in use. */
  public getConfig(): JsonObject {
    return this.config;
  }

  /** Stores the new configuration; override to rebuild clients, calling `super.updateConfig` on success. */
  public updateConfig(config: JsonObject): Promise<void> | void {
    this.config = config as TConfig;
  }
}
