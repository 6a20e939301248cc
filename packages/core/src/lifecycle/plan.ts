/**
 * Planning enable and disable with dependencies in mind: enabling a service needs its dependencies
 * enabled, disabling one needs its enabled dependents disabled. A plan lists which services change, in
 * which order; it is what a dry run returns and what an execution follows.
 */
import { ServiceDeckError } from '../errors.js';

/** What the planner needs to know of each service. */
export interface PlanNode {
  readonly id: string;
  readonly enabled: boolean;
  readonly missing: boolean;
  readonly dependencies: readonly string[];
}

/** One step of a plan. */
export interface PlanStep {
  readonly serviceId: string;
  readonly action: 'enable' | 'disable';
}

/** Which services change, in which order. Empty steps: nothing to do. */
export interface LifecyclePlan {
  readonly action: 'enable' | 'disable';
  readonly target: string;
  readonly steps: readonly PlanStep[];
}

/** Every dependency of `id`, transitively, dependencies before dependents (deepest first). */
function dependencyClosure(id: string, nodes: ReadonlyMap<string, PlanNode>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (current: string): void => {
    for (const dep of nodes.get(current)?.dependencies ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
      order.push(dep);
    }
  };
  visit(id);
  return order;
}

/** Every service depending on `id`, transitively, dependents before what they depend on. */
function dependentClosure(id: string, nodes: ReadonlyMap<string, PlanNode>): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (current: string): void => {
    for (const node of nodes.values()) {
      if (!node.dependencies.includes(current) || seen.has(node.id)) continue;
      seen.add(node.id);
      visit(node.id);
      order.push(node.id);
    }
  };
  visit(id);
  return order;
}

const quoted = (ids: readonly string[]): string => ids.map((id) => `"${id}"`).join(', ');

/**
 * Plans enabling `id`.
 *
 * @throws ServiceDeckError `SD_ERR_SERVICE_MISSING` when it (or a dependency) was not discovered;
 *   `SD_ERR_DEPENDENCIES_DISABLED` listing the disabled dependencies unless `withDependencies`.
 */
export function planEnable(
  id: string,
  nodes: ReadonlyMap<string, PlanNode>,
  withDependencies: boolean,
): LifecyclePlan {
  const target = nodes.get(id) as PlanNode;
  const closure = dependencyClosure(id, nodes);
  const missing = [id, ...closure].filter((dep) => nodes.get(dep)?.missing !== false);
  if (missing.length > 0) {
    throw new ServiceDeckError(
      'SD_ERR_SERVICE_MISSING',
      `Cannot enable "${id}": ${quoted(missing)} ${missing.length === 1 ? 'was' : 'were'} not found by discovery.`,
      { details: { serviceId: id, missing }, hint: 'Install the plugins that provide them, then try again.' },
    );
  }
  const disabled = closure.filter((dep) => !nodes.get(dep)?.enabled);
  if (disabled.length > 0 && !withDependencies) {
    throw new ServiceDeckError(
      'SD_ERR_DEPENDENCIES_DISABLED',
      `Cannot enable "${id}": it depends on ${quoted(disabled)}, which ${disabled.length === 1 ? 'is' : 'are'} disabled.`,
      {
        details: { serviceId: id, disabled },
        hint: 'Enable them first, or enable it together with its dependencies.',
      },
    );
  }
  const steps: PlanStep[] = disabled.map((serviceId) => ({ serviceId, action: 'enable' }));
  if (!target.enabled) steps.push({ serviceId: id, action: 'enable' });
  return { action: 'enable', target: id, steps };
}

/**
 * Plans disabling `id`.
 *
 * @throws ServiceDeckError `SD_ERR_DEPENDENTS_ENABLED` listing the enabled dependents unless `cascade`.
 */
export function planDisable(
  id: string,
  nodes: ReadonlyMap<string, PlanNode>,
  cascade: boolean,
): LifecyclePlan {
  const target = nodes.get(id) as PlanNode;
  const enabledDependents = dependentClosure(id, nodes).filter((dep) => nodes.get(dep)?.enabled);
  if (enabledDependents.length > 0 && !cascade) {
    throw new ServiceDeckError(
      'SD_ERR_DEPENDENTS_ENABLED',
      `Cannot disable "${id}": ${quoted(enabledDependents)} ${enabledDependents.length === 1 ? 'depends' : 'depend'} on it and ${enabledDependents.length === 1 ? 'is' : 'are'} enabled.`,
      {
        details: { serviceId: id, dependents: enabledDependents },
        hint: 'Disable them first, or disable it together with the services that depend on it (cascade).',
      },
    );
  }
  const steps: PlanStep[] = enabledDependents.map((serviceId) => ({ serviceId, action: 'disable' }));
  if (target.enabled) steps.push({ serviceId: id, action: 'disable' });
  return { action: 'disable', target: id, steps };
}
