/**
 * The watch mode for plugin authors: a changed compiled file of a service reloads that service, once,
 * after a short quiet period.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type FSWatcher, watch } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import type { ServiceRegistryManager } from '../manager.js';
import type { Actor } from '../persistence/audit-store.js';
import { packageRoot, type ReloadResult } from './reload.js';

/** Options of a {@link ServiceWatcher}. */
export interface ServiceWatcherOptions {
  /** Milliseconds without a change before the changed services are reloaded (default 300). */
  readonly debounceMs?: number;
  /** Who the reloads are audited as (default `watch` through the `cli` adapter). */
  readonly actor?: Actor;
  readonly logger?: Logger;
}

/** What a {@link ServiceWatcher} tells its listeners. */
export interface ServiceWatcherEvents {
  /** A reload the watcher ran, successful or not. */
  reload: [result: ReloadResult];
  /** A reload that could not even be tried (the service is gone from the catalog, say). */
  error: [error: Error];
}

const MODULE_FILE = /\.(?:m|c)?js$/;

/** The deepest directory holding every one of `files`. */
function commonDirectory(files: readonly string[]): string {
  let common = path.dirname(files[0] as string);
  for (const file of files.slice(1)) {
    while (!`${path.dirname(file)}${path.sep}`.startsWith(`${common}${path.sep}`)) {
      const up = path.dirname(common);
      if (up === common) return common;
      common = up;
    }
  }
  return common;
}

/**
 * The directory to watch for a plugin's service files: the top directory of the package holding them
 * (`dist/` for `dist/services/x.service.js`), so helper modules beside and above the service files are
 * seen too, but not the package's sources or its `node_modules`.
 */
function pluginDirectory(files: readonly string[]): string {
  const root = packageRoot(files[0] as string);
  const common = commonDirectory(files);
  const [top] = path.relative(root, common).split(path.sep);
  return top ? path.join(root, top) : root;
}

/** The directories under `directory` (itself included), outside `node_modules` (at most `limit`). */
async function directoriesUnder(directory: string, limit = 500): Promise<string[]> {
  const found: string[] = [];
  const pending = [directory];
  while (pending.length > 0 && found.length < limit) {
    const dir = pending.shift() as string;
    found.push(dir);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules') pending.push(path.join(dir, entry.name));
    }
  }
  return found;
}

/** The module files directly in `directory`. */
async function moduleFilesIn(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && MODULE_FILE.test(e.name))
    .map((e) => path.join(directory, e.name));
}

/**
 * Watches the compiled files of every service that comes from a module file, and reloads a service when
 * its file, or another module file of its package next to or below the service files, changes. Several
 * changes within `debounceMs` of each other reload each service once; a file written again with the same
 * content reloads nothing.
 *
 * @example
 * ```ts
 * const watcher = new ServiceWatcher(manager, { debounceMs: 300 });
 * watcher.events.on('reload', (result) => console.log(result.serviceId, result.result));
 * await watcher.start();
 * ```
 */
export class ServiceWatcher {
  /** Reloads run, and reloads that could not run. */
  public readonly events = new EventEmitter<ServiceWatcherEvents>();
  private readonly debounceMs: number;
  private readonly actor: Actor;
  private readonly logger: Logger;
  /** One watcher per directory: a recursive watch loses a file replaced by a rename (an atomic save) on Linux. */
  private readonly watchers = new Map<string, FSWatcher>();
  /** Each watched directory, with the service files under it. */
  private readonly scopes = new Map<string, { files: Map<string, string[]> }>();
  private readonly hashes = new Map<string, string>();
  private readonly changed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  public constructor(
    private readonly manager: ServiceRegistryManager,
    options: ServiceWatcherOptions = {},
  ) {
    this.debounceMs = options.debounceMs ?? 300;
    this.actor = options.actor ?? { actor: 'watch', adapter: 'cli' };
    this.logger = options.logger ?? silentLogger;
  }

  /** The directories watched, with what lies below them. */
  public get watching(): readonly string[] {
    return [...this.scopes.keys()];
  }

  /** Starts watching the service files the manager knows now. */
  public async start(): Promise<void> {
    // Plugins by package; the bot's own glob files by directory (a reload loads again only the modules
    // of the service file's directory, so that is what is watched).
    const groups = new Map<string, Map<string, string[]>>();
    for (const [file, { ids, kind }] of this.manager.reloadableSources()) {
      const key = kind === 'plugin' ? `plugin:${packageRoot(file)}` : `glob:${path.dirname(file)}`;
      const files = groups.get(key) ?? new Map<string, string[]>();
      files.set(file, ids);
      groups.set(key, files);
    }
    for (const [key, files] of groups) {
      const directory = key.startsWith('plugin:')
        ? pluginDirectory([...files.keys()])
        : path.dirname([...files.keys()][0] as string);
      const scope = this.scopes.get(directory) ?? { files: new Map<string, string[]>() };
      for (const [file, ids] of files) scope.files.set(file, ids);
      this.scopes.set(directory, scope);
    }
    for (const directory of this.scopes.keys()) {
      for (const dir of await directoriesUnder(directory)) await this.watchDirectory(dir);
    }
    this.logger.info('watching service files', { directories: this.watching });
  }

  /**
   * Watches one directory (its own entries), after recording its module files' contents, so a file
   * written again unchanged reloads nothing. A directory created in it later is watched too.
   */
  private async watchDirectory(directory: string): Promise<void> {
    if (this.stopped || this.watchers.has(directory)) return;
    for (const file of await moduleFilesIn(directory)) await this.changedContent(file);
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, { persistent: false }, (event, name) => {
        if (name === null) return;
        const entry = path.join(directory, name.toString());
        if (MODULE_FILE.test(entry)) {
          this.noticed(entry);
        } else if (event === 'rename' && name.toString() !== 'node_modules') {
          void stat(entry)
            .then((info) => (info.isDirectory() ? this.watchDirectory(entry) : undefined))
            .catch(() => undefined);
        }
      });
    } catch (error) {
      this.failed(error instanceof Error ? error : new Error(describeError(error)));
      return;
    }
    watcher.on('error', () => {
      // The directory was removed: its watcher goes with it.
      watcher.close();
      this.watchers.delete(directory);
    });
    this.watchers.set(directory, watcher);
  }

  /** Stops watching; a reload under way finishes first. */
  public async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.clear();
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.flushing;
    this.settle();
  }

  /** Resolves once no change waits for its quiet period and no reload runs. */
  public idle(): Promise<void> {
    if (!this.timer && !this.flushing) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Reports an error to the `error` listeners; without one it is only logged (an unheard `error` would throw). */
  private failed(error: Error): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
    else this.logger.warn('watch error', { error });
  }

  private settle(): void {
    if (this.timer || this.flushing) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private noticed(file: string): void {
    if (this.stopped) return;
    this.changed.add(file);
    if (this.flushing) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        // Changes made during the reloads get their own quiet period.
        if (this.changed.size > 0 && !this.stopped) this.noticed([...this.changed][0] as string);
        this.settle();
      });
    }, this.debounceMs);
  }

  /** Whether a file's content differs from the last content seen (a deleted file counts as changed). */
  private async changedContent(file: string): Promise<boolean> {
    let hash: string;
    try {
      hash = createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    } catch {
      hash = 'missing';
    }
    const before = this.hashes.get(file);
    this.hashes.set(file, hash);
    return before !== hash;
  }

  /** The services a changed file concerns: its own, or for a helper module every service of its scope. */
  private servicesOf(file: string): string[] {
    for (const [directory, scope] of this.scopes) {
      const own = scope.files.get(file);
      if (own) return own;
      if (file.startsWith(`${directory}${path.sep}`)) return [...scope.files.values()].flat();
    }
    return [];
  }

  private async flush(): Promise<void> {
    const files = [...this.changed];
    this.changed.clear();
    const ids = new Set<string>();
    for (const file of files) {
      if (!(await this.changedContent(file))) continue;
      for (const id of this.servicesOf(file)) ids.add(id);
    }
    for (const id of ids) {
      if (this.stopped) return;
      try {
        const result = await this.manager.reloadService(id, this.actor);
        this.events.emit('reload', result);
      } catch (error) {
        this.logger.warn('service not reloaded', { service: id, error });
        this.failed(error instanceof Error ? error : new Error(describeError(error)));
      }
    }
  }
}
