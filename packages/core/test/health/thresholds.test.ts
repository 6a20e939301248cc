import { describe, expect, it } from 'vitest';
import { applyOutcome, outcomeOf, type ThresholdState } from '../../src/health/thresholds.js';

const settings = { failureThreshold: 3, successThreshold: 2 };

function run(outcomes: ('success' | 'failure' | 'inactive')[], start: ThresholdState['status'] = 'unknown') {
  const state: ThresholdState = { status: start, consecutiveFailures: 0, consecutiveSuccesses: 0 };
  return outcomes.map((outcome) => {
    applyOutcome(state, outcome, settings);
    return state.status;
  });
}

describe('thresholds', () => {
  it('GIVEN failures below the threshold THEN the status holds; at the threshold it turns error', () => {
    expect(run(['success', 'success', 'failure', 'failure', 'failure'])).toEqual([
      'unknown',
      'active',
      'active',
      'active',
      'error',
    ]);
  });

  it('GIVEN a single blip between successes THEN the status never changes', () => {
    expect(run(['failure', 'success', 'failure', 'success'], 'active')).toEqual([
      'active',
      'active',
      'active',
      'active',
    ]);
  });

  it('GIVEN an error THEN it takes the success threshold of consecutive successes to recover', () => {
    expect(run(['success', 'failure', 'success', 'success'], 'error')).toEqual([
      'error',
      'error',
      'error',
      'active',
    ]);
  });

  it('GIVEN the service reports itself inactive THEN that applies at once', () => {
    expect(run(['inactive', 'success', 'success'], 'active')).toEqual(['inactive', 'inactive', 'active']);
  });

  it('GIVEN observed statuses THEN unknown counts as a failure', () => {
    expect(['active', 'inactive', 'error', 'unknown'].map((s) => outcomeOf(s as never))).toEqual([
      'success',
      'inactive',
      'failure',
      'failure',
    ]);
  });
});
