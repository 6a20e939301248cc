/**
 * Service discovery from the three sources: plugin packages, the host's own service globs, and explicit
 * registrations. One broken module is reported and skipped; the others load.
 */
import path from 'node:path';
import fg from 'fast-glob';
import { type DiscoveryProblem, describeSource, type ServiceDefinition } from '../definition.js';
import { ServiceDeckError } from '../errors.js';
import { loadServiceModule } from './module-loader.js';
import { findPluginPackages, type PluginPackage } from './plugin-packages.js';

/** Where to look for services. */
export interface DiscoveryOptions {
  /** The host project's directory: its package.json lists the plugin packages (default: cwd). */
  readonly root: string;
  /** Plugin package names to load even if the host's package.json does not list them. */
  readonly plugins?: readonly string[];
  /** Globs, relative to `root`, of the host's own compiled service files. */
  readonly serviceGlobs?: readonly string[];
  /** Whether to scan the host's dependencies for plugin packages (default true). */
  readonly scanDependencies?: boolean;
}

/** A file that was looked at, and what came of it. */
export interface DiscoveredFile {
  readonly file: string;
  /** The plugin package it belongs to, if any. */
  readonly packageName?: string;
  /** Ids of the services it yielded. */
  readonly serviceIds: readonly string[];
}

/** Everything discovery found, loaded and skipped. */
export interface DiscoveryResult {
  /** Loaded definitions, duplicates removed, in source order. */
  readonly definitions: ServiceDefinition[];
  /** Everything skipped, with the reason. */
  readonly problems: DiscoveryProblem[];
  /** Plugin packages found. */
  readonly packages: readonly PluginPackage[];
  /** Every file imported. */
  readonly files: readonly DiscoveredFile[];
}

const GLOB_OPTIONS = {
  absolute: true,
  onlyFiles: true,
  ignore: ['**/node_modules/**'],
  followSymbolicLinks: true,
};

async function loadFiles(
  files: readonly string[],
  sourceFor: (file: string) => ServiceDefinition['source'],
  packageName: string | undefined,
  out: { definitions: ServiceDefinition[]; problems: DiscoveryProblem[]; files: DiscoveredFile[] },
): Promise<void> {
  // Modules are imported concurrently: import() of independent files overlaps their I/O and parsing.
  const results = await Promise.all(files.map((file) => loadServiceModule(file, sourceFor(file))));
  results.forEach((result, index) => {
    out.definitions.push(...result.definitions);
    out.problems.push(...result.problems);
    out.files.push({
      file: files[index] as string,
      ...(packageName === undefined ? {} : { packageName }),
      serviceIds: result.definitions.map((d) => d.metadata.id),
    });
  });
}

/**
 * Keeps the first definition of each id and reports every later one, naming both places. Explicit
 * registrations come first, then the host's globs, then plugin packages by name.
 */
export function removeDuplicates(definitions: readonly ServiceDefinition[]): {
  definitions: ServiceDefinition[];
  problems: DiscoveryProblem[];
} {
  const kept = new Map<string, ServiceDefinition>();
  const problems: DiscoveryProblem[] = [];
  for (const definition of definitions) {
    const { id } = definition.metadata;
    const first = kept.get(id);
    if (!first) {
      kept.set(id, definition);
      continue;
    }
    const origin = describeSource(definition.source);
    problems.push({
      origin,
      serviceId: id,
      error: new ServiceDeckError(
        'SD_ERR_DUPLICATE_SERVICE',
        `Service id "${id}" in ${origin} is already declared by ${describeSource(first.source)}; this one was skipped.`,
        {
          details: { serviceId: id, kept: describeSource(first.source), skipped: origin },
          hint: 'Give one of them another id, or remove one of the two packages.',
        },
      ),
    });
  }
  return { definitions: [...kept.values()], problems };
}

/**
 * Discovers services from plugin packages and the host's service globs, and merges the explicitly
 * registered ones in.
 *
 * @param options - where to look.
 * @param registered - definitions from `registerService`, which take precedence over discovered ones.
 */
export async function discoverServices(
  options: DiscoveryOptions,
  registered: readonly ServiceDefinition[] = [],
): Promise<DiscoveryResult> {
  const root = path.resolve(options.root);
  const found = {
    definitions: [...registered],
    problems: [] as DiscoveryProblem[],
    files: [] as DiscoveredFile[],
  };

  if (options.serviceGlobs && options.serviceGlobs.length > 0) {
    const files = (await fg([...options.serviceGlobs], { ...GLOB_OPTIONS, cwd: root })).sort();
    await loadFiles(files, (file) => ({ kind: 'glob', file }), undefined, found);
  }

  const search = await findPluginPackages(root, options.plugins ?? [], options.scanDependencies ?? true);
  found.problems.push(...search.problems);
  // Packages are globbed and imported concurrently; results are merged in package order, so which
  // duplicate wins does not depend on timing.
  const perPackage = await Promise.all(
    search.packages.map(async (pkg) => {
      const out = {
        definitions: [] as ServiceDefinition[],
        problems: [] as DiscoveryProblem[],
        files: [] as DiscoveredFile[],
      };
      const files = (await fg([...pkg.marker.services], { ...GLOB_OPTIONS, cwd: pkg.directory })).sort();
      if (files.length === 0) {
        out.problems.push({
          origin: path.join(pkg.directory, 'package.json'),
          error: new ServiceDeckError(
            'SD_ERR_PLUGIN_INVALID',
            `Plugin package "${pkg.name}" declares services at ${pkg.marker.services.join(', ')} but no file matches.`,
            {
              details: { packageName: pkg.name, globs: pkg.marker.services },
              hint: 'Build the plugin package, or fix the globs in its "servicedeck" marker.',
            },
          ),
        });
        return out;
      }
      await loadFiles(
        files,
        (file) => ({ kind: 'plugin', packageName: pkg.name, packageVersion: pkg.version, file }),
        pkg.name,
        out,
      );
      return out;
    }),
  );
  for (const out of perPackage) {
    found.definitions.push(...out.definitions);
    found.problems.push(...out.problems);
    found.files.push(...out.files);
  }

  const unique = removeDuplicates(found.definitions);
  return {
    definitions: unique.definitions,
    problems: [...found.problems, ...unique.problems],
    packages: search.packages,
    files: found.files,
  };
}
