/**
 * What discovery produces: a service definition (validated metadata, where it came from, and how to get an
 * instance) and the problems found on the way.
 */
import type { ServiceDeckError } from './errors.js';
import type { ServiceInterface, ServiceMetadata } from './types.js';

/** Where a service definition came from. */
export type ServiceSource =
  | {
      /** A plugin package carrying the `servicedeck` marker. */
      readonly kind: 'plugin';
      readonly packageName: string;
      readonly packageVersion: string | null;
      readonly file: string;
    }
  | {
      /** A file matched by one of the host's service globs. */
      readonly kind: 'glob';
      readonly file: string;
    }
  | {
      /** An instance passed to `registerService`. */
      readonly kind: 'registered';
    }
  | {
      /** A service that comes with servicedeck itself (the bot process). */
      readonly kind: 'builtin';
    };

// biome-ignore lint/suspicious/noExplicitAny: service constructors take whatever tsyringe injects.
export type ServiceClass = new (...args: any[]) => ServiceInterface;

/** A discovered or registered service, ready to be checked against the graph and constructed. */
export interface ServiceDefinition {
  readonly metadata: ServiceMetadata;
  readonly source: ServiceSource;
  /** The class to construct (discovered services). */
  readonly serviceClass?: ServiceClass;
  /** The ready instance (registered services). */
  readonly instance?: ServiceInterface;
}

/** A service, file or package that was skipped, and why. */
export interface DiscoveryProblem {
  /** The file, package or "registerService" where the problem is. */
  readonly origin: string;
  /** The service concerned, when known. */
  readonly serviceId?: string;
  /** The error, with its code and a message that says what to do. */
  readonly error: ServiceDeckError;
}

/** Human-readable description of a definition's origin. */
export function describeSource(source: ServiceSource): string {
  switch (source.kind) {
    case 'plugin':
      return `${source.file} (package ${source.packageName})`;
    case 'glob':
      return source.file;
    case 'registered':
      return 'registerService()';
    case 'builtin':
      return '@servicedeck/core (built in)';
  }
}
