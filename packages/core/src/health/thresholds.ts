/**
 * Kubernetes-style thresholds: a service turns `error` after N consecutive failed checks and back to
 * `active` after M consecutive successful ones, so a single blip never flips its status.
 */
import type { HealthCheckSettings, ServiceStatus } from '../types.js';

/** The counters and status a threshold decision works on. */
export interface ThresholdState {
  status: ServiceStatus;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
}

/** What a check's outcome counts as. */
export type CheckOutcome = 'success' | 'failure' | 'inactive';

/** The outcome a check's observed status counts as: `unknown` is a failure (the check could not tell). */
export function outcomeOf(status: ServiceStatus): CheckOutcome {
  if (status === 'active') return 'success';
  if (status === 'inactive') return 'inactive';
  return 'failure';
}

/**
 * Applies one outcome to the state (in place) and returns whether the status changed.
 *
 * `inactive` (the service reports itself not configured or disabled) applies at once and resets the
 * counters; successes and failures move the status only when their threshold is reached.
 */
export function applyOutcome(
  state: ThresholdState,
  outcome: CheckOutcome,
  settings: Pick<HealthCheckSettings, 'failureThreshold' | 'successThreshold'>,
): boolean {
  const before = state.status;
  if (outcome === 'inactive') {
    state.consecutiveFailures = 0;
    state.consecutiveSuccesses = 0;
    state.status = 'inactive';
  } else if (outcome === 'success') {
    state.consecutiveFailures = 0;
    state.consecutiveSuccesses += 1;
    if (state.consecutiveSuccesses >= settings.successThreshold) state.status = 'active';
  } else {
    state.consecutiveSuccesses = 0;
    state.consecutiveFailures += 1;
    if (state.consecutiveFailures >= settings.failureThreshold) state.status = 'error';
  }
  return state.status !== before;
}
