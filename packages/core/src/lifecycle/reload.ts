/**
 * Hot reload: what a reload reports, and how a service's code is loaded afresh.
 *
 * Node cannot unload an ES module, so a reload imports the service's file under a new URL
 * (`file.js?servicedeck-reload=N`), which makes a new module instance. Loader hooks give the same query to
 * every module the file imports from its own package, so a change to a helper module is picked up too;
 * modules of other packages (`@servicedeck/core`, the plugin's dependencies) are shared, loaded once.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { register } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceDeckError } from '../errors.js';
import type { ServiceStatus } from '../types.js';

/** The step of a reload that failed. */
export type ReloadStage =
  /** Importing the new code (a syntax error, a module that throws, a missing file). */
  | 'load'
  /** Checking the new code: its metadata, its configuration schema, the dependency graph, the settings. */
  | 'validate'
  /** Constructing and enabling the new instance. */
  | 'start'
  /** The new instance's first health check. */
  | 'health'
  /** Restarting or notifying the services that depend on it. */
  | 'dependents';

/** What happened to a service that depends on the reloaded one. */
export interface ReloadDependent {
  readonly serviceId: string;
  /** `restarted` with the new instance injected, or `notified` through `dependencyReloaded()`. */
  readonly action: 'restarted' | 'notified';
  readonly result: 'ok' | 'failed';
  /** Why it failed, when it did. */
  readonly message: string | null;
}

/** The outcome of {@link ServiceRegistryManager.reloadService}. */
export interface ReloadResult {
  readonly serviceId: string;
  /** `ok`: the new code runs (or, for a service that does not run, is the one used from now on). */
  readonly result: 'ok' | 'failed';
  /**
   * `here`: reloaded in this process. `recorded`: a manager in `control` mode loaded and checked the new
   * code and recorded the reload; every process running services reloads it and audits its own outcome
   * (`reload` entries whose `details.revision` is {@link revision}).
   */
  readonly applied: 'here' | 'recorded';
  /** The revision of the recorded reload, which other processes apply; null when nothing was recorded. */
  readonly revision: number | null;
  /** The version the service had before. */
  readonly previousVersion: string | null;
  /** The version it has now (the previous one when the reload failed). */
  readonly version: string | null;
  /** The step that failed, or null. */
  readonly stage: ReloadStage | null;
  /** Why it failed (`SD_ERR_RELOAD_FAILED`, the cause attached), or null. */
  readonly error: ServiceDeckError | null;
  /** True when the previous instance had been stopped and was started again. */
  readonly rolledBack: boolean;
  /** Whether a live instance of the service runs in this process now. */
  readonly running: boolean;
  /** The status the service ended in, and why. */
  readonly status: ServiceStatus;
  readonly message: string | null;
  /** The services depending on it that were restarted or notified. */
  readonly dependents: readonly ReloadDependent[];
  /** Milliseconds the reload took. */
  readonly durationMs: number;
}

/** The query parameter that makes a module URL new. */
export const RELOAD_QUERY = 'servicedeck-reload';

let hooksRegistered = false;
let generation = 0;

/**
 * The loader hooks, as a module of their own (they run on Node's hooks thread). A module imported by a
 * module whose URL carries the reload query gets the same query when both files belong to the same package
 * (the same nearest `package.json`), so the package's own modules are loaded afresh and every other
 * package's are shared.
 */
const HOOKS_SOURCE = `
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
const QUERY = '${RELOAD_QUERY}';
const roots = new Map();
function packageRoot(file) {
  const visited = [];
  let dir = dirname(file);
  let root = null;
  for (;;) {
    if (roots.has(dir)) { root = roots.get(dir); break; }
    visited.push(dir);
    if (existsSync(join(dir, 'package.json'))) { root = dir; break; }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const each of visited) roots.set(each, root);
  return root;
}
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (!parent || !parent.startsWith('file:') || !result.url.startsWith('file:')) return result;
  const parentUrl = new URL(parent);
  const token = parentUrl.searchParams.get(QUERY);
  if (token === null) return result;
  const child = new URL(result.url);
  if (child.searchParams.has(QUERY)) return result;
  const root = packageRoot(fileURLToPath(parentUrl));
  if (root === null || packageRoot(fileURLToPath(child)) !== root) return result;
  child.searchParams.set(QUERY, token);
  return { ...result, url: child.href };
}
`;

/**
 * Registers the loader hooks once per process. A runtime without module hooks still loads the service's
 * own file afresh.
 */
function registerHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  try {
    register(`data:text/javascript,${encodeURIComponent(HOOKS_SOURCE)}`);
  } catch {
    // No module hooks here: only the service's own file is loaded afresh.
  }
}

/**
 * Imports `file` as a new module instance (and, through the hooks, the modules of its own package it
 * imports). Throws what the import throws.
 */
export async function importFresh(file: string): Promise<Record<string, unknown>> {
  registerHooks();
  generation += 1;
  const url = `${pathToFileURL(file).href}?${RELOAD_QUERY}=${Date.now().toString(36)}-${generation}`;
  return (await import(url)) as Record<string, unknown>;
}

/**
 * Where a syntax error that made the import of `file` fail is: Node's error does not name the module, so
 * the service file and the module files next to it are checked with `node --check`. Returns
 * `path:line` of the first one that does not parse, or undefined.
 */
export async function locateSyntaxError(file: string): Promise<string | undefined> {
  const directory = path.dirname(file);
  let siblings: string[] = [];
  try {
    siblings = (await readdir(directory))
      .filter((name) => /\.(?:m|c)?js$/.test(name))
      .map((name) => path.join(directory, name))
      .filter((candidate) => candidate !== file)
      .slice(0, 50);
  } catch {
    // The directory went away: only the file itself is checked.
  }
  for (const candidate of [file, ...siblings]) {
    const problem = await new Promise<string | undefined>((resolve) => {
      execFile(process.execPath, ['--check', candidate], { timeout: 10_000 }, (error, _stdout, stderr) => {
        if (!error) return resolve(undefined);
        const lines = stderr.split('\n');
        const where = lines.find((line) => line.startsWith(candidate));
        const what = lines.find((line) => /^\w*Error\b/.test(line));
        resolve(where ? `${where}${what ? ` (${what})` : ''}` : undefined);
      });
    });
    if (problem) return problem;
  }
  return undefined;
}
