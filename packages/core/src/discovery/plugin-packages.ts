/**
 * Finds plugin packages: the host's dependencies (and any packages named explicitly) whose package.json
 * carries a `servicedeck` marker naming the globs of their compiled service files.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DiscoveryProblem } from '../definition.js';
import { describeError, ServiceDeckError } from '../errors.js';

/** The `servicedeck` field of a plugin package's package.json. */
export interface PluginMarker {
  /** Globs, relative to the package, of the compiled files that export services. */
  readonly services: readonly string[];
}

/** A plugin package found on disk. */
export interface PluginPackage {
  readonly name: string;
  readonly version: string | null;
  /** The package's directory, symlinks resolved. */
  readonly directory: string;
  readonly marker: PluginMarker;
}

/** Where {@link findPluginPackages} looked and what it found. */
export interface PluginSearchResult {
  readonly packages: PluginPackage[];
  readonly problems: DiscoveryProblem[];
}

interface PackageJson {
  name?: unknown;
  version?: unknown;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  servicedeck?: unknown;
}

async function readPackageJson(file: string): Promise<PackageJson> {
  return JSON.parse(await readFile(file, 'utf8')) as PackageJson;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Locates an installed package the way Node does: in `node_modules` of the root and its ancestors. */
async function locatePackage(root: string, name: string): Promise<string | undefined> {
  let dir = root;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name, 'package.json');
    if (await exists(candidate)) return realpath(path.dirname(candidate));
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function parseMarker(value: unknown): PluginMarker | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'the "servicedeck" field must be an object like { "services": ["dist/**/*.service.js"] }';
  }
  const services = (value as { services?: unknown }).services;
  const globs = typeof services === 'string' ? [services] : services;
  if (
    !Array.isArray(globs) ||
    globs.length === 0 ||
    !globs.every((g) => typeof g === 'string' && g.length > 0)
  ) {
    return '"servicedeck.services" must be a glob or a non-empty array of globs of compiled service files, e.g. ["dist/**/*.service.js"]';
  }
  return { services: globs as string[] };
}

/**
 * Finds the plugin packages of a host project.
 *
 * @param root - the host project's directory (holding its package.json).
 * @param extraPackages - package names to load even if the host does not list them; these must be
 *   installed and carry the marker, or a problem is reported.
 * @param scanDependencies - whether to look at the host's own dependencies (otherwise only `extraPackages`).
 */
export async function findPluginPackages(
  root: string,
  extraPackages: readonly string[] = [],
  scanDependencies = true,
): Promise<PluginSearchResult> {
  const problems: DiscoveryProblem[] = [];
  const packages: PluginPackage[] = [];
  const hostFile = path.join(root, 'package.json');
  let host: PackageJson = {};
  if (scanDependencies && (await exists(hostFile))) {
    try {
      host = await readPackageJson(hostFile);
    } catch (error) {
      problems.push({
        origin: hostFile,
        error: new ServiceDeckError(
          'SD_ERR_PLUGIN_INVALID',
          `Cannot read ${hostFile}: ${describeError(error)}.`,
          {
            cause: error,
            hint: 'Fix the JSON of the host package.json.',
          },
        ),
      });
    }
  }
  const dependencyNames = new Set([
    ...Object.keys(host.dependencies ?? {}),
    ...Object.keys(host.devDependencies ?? {}),
    ...Object.keys(host.optionalDependencies ?? {}),
  ]);
  const explicit = new Set(extraPackages);
  const names = [...new Set([...dependencyNames, ...explicit])].sort();
  // Locate and read every candidate concurrently, then decide in name order.
  const located = await Promise.all(
    names.map(async (name) => {
      const directory = await locatePackage(root, name);
      if (!directory) return { name, directory };
      const manifestFile = path.join(directory, 'package.json');
      try {
        return { name, directory, manifestFile, manifest: await readPackageJson(manifestFile) };
      } catch (error) {
        return { name, directory, manifestFile, readError: error };
      }
    }),
  );
  const seenDirectories = new Set<string>();
  for (const candidate of located) {
    const { name, directory } = candidate;
    if (!directory) {
      if (explicit.has(name)) {
        problems.push({
          origin: name,
          error: new ServiceDeckError(
            'SD_ERR_PLUGIN_NOT_FOUND',
            `Plugin package "${name}" is not installed in ${root}.`,
            {
              details: { packageName: name },
              hint: `Install it (pnpm add ${name}) or remove it from the "plugins" setting.`,
            },
          ),
        });
      }
      continue;
    }
    if (seenDirectories.has(directory)) continue;
    seenDirectories.add(directory);
    const manifestFile = candidate.manifestFile as string;
    if (!candidate.manifest) {
      if (explicit.has(name)) {
        problems.push({
          origin: manifestFile,
          error: new ServiceDeckError(
            'SD_ERR_PLUGIN_INVALID',
            `Cannot read ${manifestFile}: ${describeError(candidate.readError)}.`,
            {
              cause: candidate.readError,
              details: { packageName: name },
            },
          ),
        });
      }
      continue;
    }
    const manifest = candidate.manifest;
    if (manifest.servicedeck === undefined) {
      if (explicit.has(name)) {
        problems.push({
          origin: manifestFile,
          error: new ServiceDeckError(
            'SD_ERR_PLUGIN_INVALID',
            `Package "${name}" has no "servicedeck" marker in its package.json.`,
            {
              details: { packageName: name },
              hint: 'Add "servicedeck": { "services": ["dist/**/*.service.js"] } to the plugin package.json.',
            },
          ),
        });
      }
      continue;
    }
    const marker = parseMarker(manifest.servicedeck);
    if (typeof marker === 'string') {
      problems.push({
        origin: manifestFile,
        error: new ServiceDeckError(
          'SD_ERR_PLUGIN_INVALID',
          `Plugin package "${name}" has an invalid marker: ${marker}.`,
          {
            details: { packageName: name },
          },
        ),
      });
      continue;
    }
    packages.push({
      name,
      version: typeof manifest.version === 'string' ? manifest.version : null,
      directory,
      marker,
    });
  }
  return { packages, problems };
}
