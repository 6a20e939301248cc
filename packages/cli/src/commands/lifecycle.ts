/**
 * `servicedeck enable <id>` and `servicedeck disable <id>`: change a service's desired state (with its
 * dependencies, or its dependents), print the plan and what happened to each service. The running bot
 * picks the change up through its change feed.
 */
import type { LifecycleResult } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { nothingToDo, outcomeSummary, renderOutcomes, renderPlan } from '../output/lifecycle.js';
import { cliActor, withManager } from '../runtime.js';

/** Options of `enable`. */
export interface EnableOptions {
  /** Enable its disabled dependencies first, instead of refusing. */
  readonly withDependencies?: boolean;
  /** Print the plan only; change nothing. */
  readonly dryRun?: boolean;
}

/** Options of `disable`. */
export interface DisableOptions {
  /** Disable its enabled dependents first, instead of refusing. */
  readonly cascade?: boolean;
  /** Print the plan only; change nothing. */
  readonly dryRun?: boolean;
}

function report(context: CommandContext, result: LifecycleResult): number {
  if (result.plan.steps.length === 0) {
    context.print(nothingToDo(result.plan));
    return EXIT.ok;
  }
  context.print(renderPlan(result.plan, result.dryRun));
  if (result.dryRun) return EXIT.ok;
  context.print('');
  context.print(renderOutcomes(result, context.style));
  context.print(`\n${outcomeSummary(result)}`);
  return result.outcomes.some((outcome) => outcome.result === 'failed') ? EXIT.failed : EXIT.ok;
}

/**
 * Enables `id`. Refused (exit 1, core's message listing them) while its dependencies are disabled, unless
 * `withDependencies`; exit 1 when a service of the plan fails to start.
 */
export async function enable(
  context: CommandContext,
  id: string,
  options: EnableOptions = {},
): Promise<number> {
  const result = await withManager(context, (manager) =>
    manager.enableService(id, {
      ...cliActor(context.io.env),
      withDependencies: Boolean(options.withDependencies),
      dryRun: Boolean(options.dryRun),
    }),
  );
  return report(context, result);
}

/**
 * Disables `id`. Refused (exit 1, core's message listing them) while enabled services depend on it, unless
 * `cascade`; exit 1 when a service of the plan fails to stop.
 */
export async function disable(
  context: CommandContext,
  id: string,
  options: DisableOptions = {},
): Promise<number> {
  const result = await withManager(context, (manager) =>
    manager.disableService(id, {
      ...cliActor(context.io.env),
      cascade: Boolean(options.cascade),
      dryRun: Boolean(options.dryRun),
    }),
  );
  return report(context, result);
}
