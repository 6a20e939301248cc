import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverServices } from '../../src/discovery/discovery.js';
import { checkDependencyGraph } from '../../src/graph.js';
import { createHost, FIXTURE_HOST_SERVICES, FIXTURE_PLUGINS, type FixtureHost } from '../support/host.js';

let host: FixtureHost | undefined;
afterEach(async () => {
  await host?.cleanup();
  host = undefined;
});

function ids(definitions: readonly { metadata: { id: string } }[]): string[] {
  return definitions.map((d) => d.metadata.id).sort();
}

describe('discoverServices', () => {
  it('GIVEN a host depending on a valid plugin THEN both declaration styles are discovered with their package', async () => {
    host = await createHost(['sd-plugin-valid', 'not-a-plugin']);
    const result = await discoverServices({ root: host.root });
    expect(result.problems).toEqual([]);
    expect(ids(result.definitions)).toEqual(['alpha', 'beta']);
    expect(result.packages.map((p) => [p.name, p.version])).toEqual([['sd-plugin-valid', '1.2.3']]);
    const alpha = result.definitions.find((d) => d.metadata.id === 'alpha');
    expect(alpha?.metadata).toMatchObject({
      name: 'Alpha',
      type: 'internal',
      version: '1.0.0',
      tags: ['fixture'],
      healthCheck: { intervalMs: 30_000, timeoutMs: 5_000, failureThreshold: 3, successThreshold: 1 },
    });
    expect(alpha?.source).toEqual({
      kind: 'plugin',
      packageName: 'sd-plugin-valid',
      packageVersion: '1.2.3',
      file: path.join(FIXTURE_PLUGINS, 'sd-plugin-valid', 'dist', 'alpha.service.js'),
    });
  });

  it('GIVEN a plugin that throws on import THEN it is reported with its file and reason and the rest load', async () => {
    host = await createHost(['sd-plugin-valid', 'sd-plugin-throws']);
    const result = await discoverServices({ root: host.root });
    expect(ids(result.definitions)).toEqual(['alpha', 'beta']);
    expect(result.problems).toHaveLength(1);
    const file = path.join(FIXTURE_PLUGINS, 'sd-plugin-throws', 'dist', 'explodes.service.js');
    expect(result.problems[0]?.origin).toBe(file);
    expect(result.problems[0]?.error.code).toBe('SD_ERR_PLUGIN_LOAD_FAILED');
    expect(result.problems[0]?.error.message).toBe(
      `Cannot load ${file}: explodes on import: REDIS_URL is not set. Fix the error in the module (or rebuild the plugin) and start again; the other services were loaded.`,
    );
  });

  it('GIVEN a plugin with an invalid configSchema THEN it is skipped naming the service, file and reason', async () => {
    host = await createHost(['sd-plugin-bad-schema', 'sd-plugin-valid']);
    const result = await discoverServices({ root: host.root });
    expect(ids(result.definitions)).toEqual(['alpha', 'beta']);
    const [problem] = result.problems;
    const file = path.join(FIXTURE_PLUGINS, 'sd-plugin-bad-schema', 'dist', 'broken-schema.service.js');
    expect(problem?.serviceId).toBe('broken-schema');
    expect(problem?.error.code).toBe('SD_ERR_INVALID_CONFIG_SCHEMA');
    expect(problem?.error.message).toBe(
      `The configSchema of "broken-schema" in ${file} is not a valid JSON Schema (2020-12): at /properties/port/type: must be equal to one of the allowed values. Fix the schema and start again.`,
    );
  });

  it('GIVEN two plugins declaring the same id THEN the package first by name keeps it and the other is skipped, naming both', async () => {
    host = await createHost(['sd-plugin-valid', 'sd-plugin-duplicate']);
    const result = await discoverServices({ root: host.root });
    expect(ids(result.definitions)).toEqual(['alpha', 'beta']);
    const alpha = result.definitions.find((d) => d.metadata.id === 'alpha');
    expect(alpha?.source).toMatchObject({ packageName: 'sd-plugin-duplicate' });
    expect(result.problems).toHaveLength(1);
    const error = result.problems[0]?.error;
    expect(error?.code).toBe('SD_ERR_DUPLICATE_SERVICE');
    const skipped = path.join(FIXTURE_PLUGINS, 'sd-plugin-valid', 'dist', 'alpha.service.js');
    const kept = path.join(FIXTURE_PLUGINS, 'sd-plugin-duplicate', 'dist', 'alpha-again.service.js');
    expect(error?.message).toBe(
      `Service id "alpha" in ${skipped} (package sd-plugin-valid) is already declared by ${kept} (package sd-plugin-duplicate); this one was skipped. Give one of them another id, or remove one of the two packages.`,
    );
  });

  it('GIVEN a marker with no globs and a plugin that is not built THEN each is reported with what to fix', async () => {
    host = await createHost(['sd-plugin-bad-marker', 'sd-plugin-unbuilt']);
    const result = await discoverServices({ root: host.root });
    expect(result.definitions).toEqual([]);
    expect(result.problems.map((p) => [p.error.code, p.error.message])).toEqual([
      [
        'SD_ERR_PLUGIN_INVALID',
        'Plugin package "sd-plugin-bad-marker" has an invalid marker: "servicedeck.services" must be a glob or a non-empty array of globs of compiled service files, e.g. ["dist/**/*.service.js"].',
      ],
      [
        'SD_ERR_PLUGIN_INVALID',
        'Plugin package "sd-plugin-unbuilt" declares services at dist/**/*.service.js but no file matches. Build the plugin package, or fix the globs in its "servicedeck" marker.',
      ],
    ]);
  });

  it('GIVEN plugin names in the configuration THEN an uninstalled one or one without marker is reported', async () => {
    host = await createHost([], ['sd-plugin-valid', 'not-a-plugin']);
    const result = await discoverServices({
      root: host.root,
      plugins: ['sd-plugin-valid', 'not-a-plugin', 'sd-plugin-nowhere'],
    });
    expect(ids(result.definitions)).toEqual(['alpha', 'beta']);
    expect(result.problems.map((p) => [p.error.code, p.origin])).toEqual([
      ['SD_ERR_PLUGIN_INVALID', path.join(FIXTURE_PLUGINS, 'not-a-plugin', 'package.json')],
      ['SD_ERR_PLUGIN_NOT_FOUND', 'sd-plugin-nowhere'],
    ]);
    expect(result.problems[1]?.error.message).toBe(
      `Plugin package "sd-plugin-nowhere" is not installed in ${host.root}. Install it (pnpm add sd-plugin-nowhere) or remove it from the "plugins" setting.`,
    );
  });

  it("GIVEN the host's own service globs THEN matching files are discovered and others ignored", async () => {
    host = await createHost(['sd-plugin-valid']);
    const result = await discoverServices({
      root: host.root,
      serviceGlobs: [path.join(FIXTURE_HOST_SERVICES, '*.service.js')],
    });
    expect(result.problems).toEqual([]);
    expect(ids(result.definitions)).toEqual(['alpha', 'beta', 'gamma']);
    expect(result.definitions.find((d) => d.metadata.id === 'gamma')?.source).toEqual({
      kind: 'glob',
      file: path.join(FIXTURE_HOST_SERVICES, 'gamma.service.js'),
    });
  });
});

describe('checkDependencyGraph', () => {
  it('GIVEN a dependency cycle THEN every service in it is skipped and the error shows the full path', async () => {
    host = await createHost(['sd-plugin-cycle', 'sd-plugin-valid']);
    const { definitions } = await discoverServices({ root: host.root });
    const graph = checkDependencyGraph(definitions);
    expect(ids(graph.ordered)).toEqual(['alpha', 'beta']);
    expect(graph.problems.map((p) => p.serviceId)).toEqual(['cycle-a', 'cycle-b', 'cycle-c']);
    for (const problem of graph.problems) {
      expect(problem.error.code).toBe('SD_ERR_DEPENDENCY_CYCLE');
      expect(problem.error.message).toBe(
        'Services depend on each other in a cycle: cycle-a → cycle-b → cycle-c → cycle-a; "cycle-a", "cycle-b", "cycle-c" were skipped. Remove one of the dependencies so the services form a tree.',
      );
      expect(problem.error.details.cycle).toEqual(['cycle-a', 'cycle-b', 'cycle-c', 'cycle-a']);
    }
  });

  it('GIVEN a missing dependency THEN the service and its dependents are skipped, naming the missing one', async () => {
    host = await createHost(['sd-plugin-missing-dep', 'sd-plugin-valid']);
    const { definitions } = await discoverServices({ root: host.root });
    const graph = checkDependencyGraph(definitions);
    expect(ids(graph.ordered)).toEqual(['alpha', 'beta']);
    expect(graph.problems.map((p) => [p.serviceId, p.error.code, p.error.message])).toEqual([
      [
        'orphan',
        'SD_ERR_DEPENDENCY_MISSING',
        'Service "orphan" depends on "ghost", which is not in the catalog; "orphan" was skipped. Install the plugin that provides "ghost", or remove it from the dependencies of "orphan".',
      ],
      [
        'orphan-child',
        'SD_ERR_DEPENDENCY_MISSING',
        'Service "orphan-child" depends on "orphan", which was skipped; "orphan-child" was skipped too. Fix the skipped services listed above.',
      ],
    ]);
  });

  it('GIVEN services in any order THEN dependencies are ordered before their dependents', async () => {
    host = await createHost(['sd-plugin-valid']);
    const { definitions } = await discoverServices({
      root: host.root,
      serviceGlobs: [path.join(FIXTURE_HOST_SERVICES, '*.service.js')],
    });
    const graph = checkDependencyGraph([...definitions].reverse());
    expect(graph.ordered.map((d) => d.metadata.id)).toEqual(['alpha', 'beta', 'gamma']);
  });
});
