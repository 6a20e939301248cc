/**
 * The dependency graph of the catalog, checked before anything is constructed: missing dependencies and
 * cycles are reported naming every service involved, and the rest is ordered so that dependencies start
 * first and stop last.
 */

import type { DiscoveryProblem, ServiceDefinition } from './definition.js';
import { describeSource } from './definition.js';
import { ServiceDeckError } from './errors.js';

/** The outcome of checking a set of definitions. */
export interface GraphCheck {
  /** Definitions that can be constructed, dependencies before dependents. */
  readonly ordered: ServiceDefinition[];
  /** Definitions left out, each with the reason. */
  readonly problems: DiscoveryProblem[];
}

/** Strongly connected components with more than one member (or a self-loop), by Tarjan's algorithm. */
function findCycles(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlink.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlink.set(node, Math.min(lowlink.get(node) as number, lowlink.get(next) as number));
      } else if (onStack.has(next)) {
        lowlink.set(node, Math.min(lowlink.get(node) as number, indices.get(next) as number));
      }
    }
    if (lowlink.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of nodes) if (!indices.has(node)) visit(node);
  return components;
}

/** The shortest cycle through `start` inside `members`, as a path that ends where it begins. */
function cyclePath(
  start: string,
  members: ReadonlySet<string>,
  edges: ReadonlyMap<string, readonly string[]>,
): string[] {
  const previous = new Map<string, string>();
  const queue: string[] = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = previous.get(at))
          path.push(at);
        path.push(start);
        // Built backwards from the end of the cycle: reverse all but the fixed endpoints.
        return [start, ...path.slice(1, -1).reverse(), start];
      }
      if (!previous.has(next) && next !== start) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/**
 * Checks every dependency exists and none forms a cycle, and orders the rest topologically (ties broken
 * by id, so the order is stable). A service whose dependency was left out is left out too.
 */
export function checkDependencyGraph(definitions: readonly ServiceDefinition[]): GraphCheck {
  const byId = new Map(definitions.map((d) => [d.metadata.id, d]));
  const edges = new Map(definitions.map((d) => [d.metadata.id, d.metadata.dependencies]));
  const problems: DiscoveryProblem[] = [];
  const excluded = new Map<string, string>();

  for (const definition of definitions) {
    const missing = definition.metadata.dependencies.filter((dep) => !byId.has(dep));
    if (missing.length === 0) continue;
    const { id } = definition.metadata;
    const list = missing.map((dep) => `"${dep}"`).join(', ');
    problems.push({
      origin: describeSource(definition.source),
      serviceId: id,
      error: new ServiceDeckError(
        'SD_ERR_DEPENDENCY_MISSING',
        `Service "${id}" depends on ${list}, which ${missing.length === 1 ? 'is' : 'are'} not in the catalog; "${id}" was skipped.`,
        {
          details: { serviceId: id, missing },
          hint: `Install the plugin that provides ${list}, or remove it from the dependencies of "${id}".`,
        },
      ),
    });
    excluded.set(id, 'missing dependency');
  }

  for (const component of findCycles([...byId.keys()].sort(), edges)) {
    const members = new Set(component);
    const start = component[0] as string;
    const cycle = cyclePath(start, members, edges);
    const rendered = cycle.join(' → ');
    for (const id of component) {
      const definition = byId.get(id) as ServiceDefinition;
      problems.push({
        origin: describeSource(definition.source),
        serviceId: id,
        error: new ServiceDeckError(
          'SD_ERR_DEPENDENCY_CYCLE',
          `Services depend on each other in a cycle: ${rendered}; ${component.map((c) => `"${c}"`).join(', ')} were skipped.`,
          {
            details: { serviceId: id, cycle, services: component },
            hint: 'Remove one of the dependencies so the services form a tree.',
          },
        ),
      });
      excluded.set(id, 'dependency cycle');
    }
  }

  // Kahn's algorithm over what is left; a dependent of an excluded service is excluded with the reason.
  const ordered: ServiceDefinition[] = [];
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const definition of definitions) {
    const { id, dependencies } = definition.metadata;
    if (excluded.has(id)) continue;
    remaining.set(id, dependencies.length);
    for (const dep of dependencies) dependents.set(dep, [...(dependents.get(dep) ?? []), id]);
  }
  const ready = [...remaining.entries()]
    .filter(([, count]) => count === 0)
    .map(([id]) => id)
    .sort();
  while (ready.length > 0) {
    const id = ready.shift() as string;
    ordered.push(byId.get(id) as ServiceDefinition);
    const unlocked: string[] = [];
    for (const dependent of dependents.get(id) ?? []) {
      const count = (remaining.get(dependent) ?? 0) - 1;
      remaining.set(dependent, count);
      if (count === 0 && !excluded.has(dependent)) unlocked.push(dependent);
    }
    ready.push(...unlocked);
    ready.sort();
  }
  const placed = new Set(ordered.map((d) => d.metadata.id));
  for (const definition of definitions) {
    const { id, dependencies } = definition.metadata;
    if (placed.has(id) || excluded.has(id)) continue;
    const blocked = dependencies.filter((dep) => !placed.has(dep));
    problems.push({
      origin: describeSource(definition.source),
      serviceId: id,
      error: new ServiceDeckError(
        'SD_ERR_DEPENDENCY_MISSING',
        `Service "${id}" depends on ${blocked.map((dep) => `"${dep}"`).join(', ')}, which ${blocked.length === 1 ? 'was' : 'were'} skipped; "${id}" was skipped too.`,
        { details: { serviceId: id, missing: blocked }, hint: 'Fix the skipped services listed above.' },
      ),
    });
  }
  return { ordered, problems };
}
