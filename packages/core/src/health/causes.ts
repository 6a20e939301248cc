/**
 * The root cause of a failure: a failing dependency, followed down to the deepest dependency that is
 * failing too.
 */

/**
 * The deepest failing dependency of `id`, or null when none of its dependencies is failing.
 *
 * @param dependenciesOf - the direct dependencies of a service.
 * @param isFailing - whether a service is failing.
 */
export function rootCause(
  id: string,
  dependenciesOf: (id: string) => readonly string[],
  isFailing: (id: string) => boolean,
): string | null {
  let cause: string | null = null;
  const seen = new Set<string>([id]);
  let frontier = dependenciesOf(id);
  for (;;) {
    const failing = frontier.find((dep) => !seen.has(dep) && isFailing(dep));
    if (failing === undefined) return cause;
    cause = failing;
    seen.add(failing);
    frontier = dependenciesOf(failing);
  }
}
