/**
 * What health monitoring produces: one record per check, and status-change events.
 */
import type { HealthCheckResult, HealthCheckSettings, JsonValue, ServiceStatus } from '../types.js';

/** The result of one health check, as kept in history. */
export interface HealthCheckRecord {
  /** The service checked. */
  readonly serviceId: string;
  /** The process that ran the check. */
  readonly instanceId: string;
  /** What this check observed (before thresholds). */
  readonly status: ServiceStatus;
  /** Milliseconds the check took, or null when it was not run. */
  readonly latencyMs: number | null;
  /** What the check said, or why it failed, in plain words. */
  readonly message: string | null;
  /** The dependency in `error` that explains this failure, if any. */
  readonly cause: string | null;
  /** When the check finished. */
  readonly checkedAt: Date;
  /** Extra facts the check reported. */
  readonly details?: Readonly<Record<string, JsonValue>>;
}

/** A service's status changed. */
export interface StatusChange {
  readonly service: string;
  readonly from: ServiceStatus;
  readonly to: ServiceStatus;
  /** The dependency in `error` behind the change, if any. */
  readonly cause: string | null;
  /** Why, in plain words (the check's message, "disabled", "not configured: …"). */
  readonly message: string | null;
  readonly at: Date;
}

/** The events health monitoring emits. */
export interface HealthEvents {
  /** A service's status changed. */
  statusChange: [change: StatusChange];
  /** A check finished. */
  check: [record: HealthCheckRecord];
}

/** What the monitor needs to know about a service to check it. */
export interface HealthTarget {
  /** Runs one check; may throw (a failed check) or hang (timed out). */
  check(signal: AbortSignal): Promise<HealthCheckResult | ServiceStatus> | HealthCheckResult | ServiceStatus;
  /** Interval, timeout and thresholds. */
  readonly settings: HealthCheckSettings;
  /** Ids of the services this one depends on. */
  readonly dependencies: readonly string[];
}

/** A service's health as the monitor holds it. */
export interface ServiceHealth {
  /** The status after thresholds. */
  readonly status: ServiceStatus;
  /** The message of the check that set it. */
  readonly message: string | null;
  readonly cause: string | null;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** The last check, if any. */
  readonly last: HealthCheckRecord | undefined;
}
