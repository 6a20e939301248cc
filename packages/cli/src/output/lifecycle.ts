/**
 * What `servicedeck enable` and `disable` print: the plan (which services change, in which order), then
 * what happened to each.
 */
import type { LifecyclePlan, LifecycleResult } from '@servicedeck/core';
import { formatStatus, type Styler } from './style.js';
import { renderTable } from './table.js';

const VERB = { enable: 'enabled', disable: 'disabled' } as const;

/** The plan: a title line and one numbered line per service. */
export function renderPlan(plan: LifecyclePlan, dryRun: boolean): string {
  const count = plan.steps.length;
  const order = plan.action === 'enable' ? 'dependencies first' : 'dependents first';
  const title = `${dryRun ? 'Plan (dry run, nothing changed)' : 'Plan'}: ${plan.action} ${count} service${count === 1 ? '' : 's'}${count > 1 ? `, ${order}` : ''}:`;
  return [title, ...plan.steps.map((step, index) => `  ${index + 1}. ${step.action} ${step.serviceId}`)].join(
    '\n',
  );
}

/** The line printed when the plan is empty: the service already is in the asked state. */
export function nothingToDo(plan: LifecyclePlan): string {
  return `Nothing to do: "${plan.target}" is already ${VERB[plan.action]}.`;
}

/**
 * What happened to each service: ID, RESULT, STATUS, MESSAGE. For a change only recorded (the CLI runs no
 * service), ID, DESIRED and the status the running bot last recorded.
 */
export function renderOutcomes(result: LifecycleResult, style: Styler): string {
  if (result.applied === 'recorded') {
    return renderTable(
      ['ID', 'DESIRED', 'LAST STATUS', 'MESSAGE'],
      result.outcomes.map((outcome) => [
        outcome.serviceId,
        VERB[outcome.action],
        formatStatus(outcome.status, style),
        outcome.message ?? '',
      ]),
      (head) => style('bold', head),
    );
  }
  return renderTable(
    ['ID', 'RESULT', 'STATUS', 'MESSAGE'],
    result.outcomes.map((outcome) => [
      outcome.serviceId,
      outcome.result === 'ok' ? VERB[outcome.action] : style('red', 'failed'),
      formatStatus(outcome.status, style),
      outcome.message ?? '',
    ]),
    (head) => style('bold', head),
  );
}

/** The closing line: everything done, or how many failed and what that means. */
export function outcomeSummary(result: LifecycleResult): string {
  const failed = result.outcomes.filter((outcome) => outcome.result === 'failed').length;
  const total = result.outcomes.length;
  const what = `${total} service${total === 1 ? '' : 's'} ${VERB[result.plan.action]}`;
  if (result.applied === 'recorded') {
    return `Done: ${total} service${total === 1 ? '' : 's'} stored as ${VERB[result.plan.action]}; every running servicedeck process applies it within moments (servicedeck status <id> shows the outcome).`;
  }
  if (failed === 0) return `Done: ${what}.`;
  return result.plan.action === 'enable'
    ? `${failed} of ${total} did not start: the desired state is stored as enabled, but see MESSAGE for what to fix.`
    : `${failed} of ${total} did not stop cleanly: the desired state is stored as disabled; see MESSAGE.`;
}
