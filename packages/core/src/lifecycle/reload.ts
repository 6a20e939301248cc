/**
 * Hot reload: what a reload reports, and how a service's code is loaded afresh.
 *
 * Node cannot unload an ES module, so a reload imports the service's file under a new URL
 * (`file.js?servicedeck-reload=N`), which makes a new module instance. Loader hooks give the same query to
 * every module the file imports from its own package, so a change to a helper module is picked up too;
 * modules of other packages (`@servicedeck/core`, the plugin's dependencies) are shared, loaded once.
 */
import { execFile } from 'node:child_process';
import { type Dirent, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
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

/** Every {@link ReloadStage}, in the order a reload goes through them. */
export const RELOAD_STAGES: readonly ReloadStage[] = ['load', 'validate', 'start', 'health', 'dependents'];

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
/** The query parameter carrying the directory whose modules a reload loads afresh. */
export const SCOPE_QUERY = 'servicedeck-scope';

let hooksRegistered = false;
let generation = 0;

/**
 * The loader hooks, as a module of their own (they run on Node's hooks thread). A module imported by a
 * module whose URL carries the reload query gets the same query when it lies in the reload's scope
 * directory, so the modules of that directory are loaded afresh and every other module is shared.
 */
const HOOKS_SOURCE = `
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
const QUERY = '${RELOAD_QUERY}';
const SCOPE = '${SCOPE_QUERY}';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  const parent = context.parentURL;
  if (!parent || !parent.startsWith('file:') || !result.url.startsWith('file:')) return result;
  const parentUrl = new URL(parent);
  const token = parentUrl.searchParams.get(QUERY);
  const scope = parentUrl.searchParams.get(SCOPE);
  if (token === null || scope === null) return result;
  const child = new URL(result.url);
  if (child.searchParams.has(QUERY)) return result;
  const file = fileURLToPath(child);
  if (!file.startsWith(scope + sep) || file.slice(scope.length).split(sep).includes('node_modules')) return result;
  child.searchParams.set(QUERY, token);
  child.searchParams.set(SCOPE, scope);
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

/** The directory of the nearest `package.json` above `file`, or the file's directory when there is none. */
export function packageRoot(file: string): string {
  let dir = path.dirname(file);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(file);
    dir = up;
  }
}

/**
 * The directory whose modules a reload of a service from `source` loads afresh: the whole plugin package
 * for a plugin, and the service file's own directory (and below) for a file of the bot matched by a glob,
 * so that the bot's other modules are never loaded twice.
 */
export function reloadScope(source: { readonly kind: 'plugin' | 'glob'; readonly file: string }): string {
  return source.kind === 'plugin' ? packageRoot(source.file) : path.dirname(source.file);
}

/**
 * Imports `file` as a new module instance, and through the hooks every module under `scope` it imports
 * (CommonJS modules under `scope` are dropped from `require`'s cache first). Throws what the import throws.
 */
export async function importFresh(file: string, scope: string): Promise<Record<string, unknown>> {
  registerHooks();
  const cache = createRequire(import.meta.url).cache;
  for (const key of Object.keys(cache)) {
    if (key.startsWith(scope + path.sep)) delete cache[key];
  }
  generation += 1;
  const url = new URL(pathToFileURL(file).href);
  url.searchParams.set(RELOAD_QUERY, `${Date.now().toString(36)}-${generation}`);
  url.searchParams.set(SCOPE_QUERY, scope);
  return (await import(url.href)) as Record<string, unknown>;
}

/** The module files under `directory` (not in node_modules), at most `limit`, most recently changed first. */
async function moduleFiles(directory: string, limit: number): Promise<string[]> {
  const found: { file: string; mtimeMs: number }[] = [];
  const pending = [directory];
  while (pending.length > 0 && found.length < limit) {
    const dir = pending.shift() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.'))
        pending.push(full);
      else if (entry.isFile() && /\.(?:m|c)?js$/.test(entry.name)) {
        const info = await stat(full).catch(() => undefined);
        if (info) found.push({ file: full, mtimeMs: info.mtimeMs });
      }
    }
  }
  return found
    .sort((a, b) => b.mtimeMs - a.mtimeMs)
    .slice(0, limit)
    .map((each) => each.file);
}

/** `node --check` of one file: its `path:line (message)` when it does not parse with `message`. */
function checkSyntax(file: string, message: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--check', file], { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const lines = stderr.split('\n');
      const where = lines.find((line) => line.startsWith(file));
      const what = lines.find((line) => /^\w*Error\b/.test(line));
      // Only the file failing with the import's own error is to blame.
      if (!where || !what?.includes(message)) return resolve(undefined);
      resolve(`${where} (${what})`);
    });
  });
}

/**
 * Where the syntax error that made the import of `file` fail is. Node's error does not name the module,
 * so the service file and then the module files of the reload's scope (the most recently changed first)
 * are checked with `node --check`, and the first one failing with the same message is named. Returns
 * `path:line (SyntaxError: …)`, or undefined when none is found (a missing export, say, parses fine).
 */
export async function locateSyntaxError(
  file: string,
  scope: string,
  error: SyntaxError,
): Promise<string | undefined> {
  const candidates = [file, ...(await moduleFiles(scope, 200)).filter((each) => each !== file)];
  for (const candidate of candidates) {
    const found = await checkSyntax(candidate, error.message);
    if (found) return found;
  }
  return undefined;
}
