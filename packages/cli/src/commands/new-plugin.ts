/**
 * `servicedeck new plugin <name>`: writes a new plugin package (package.json with the servicedeck marker,
 * TypeScript configurations, a service with a configuration schema and a health check, its test and
 * README) that builds, passes its own test, and is discovered once a bot depends on it.
 *
 * The package is written into a temporary directory next to the target and renamed into place at the
 * end, so a failure leaves nothing half-written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SERVICE_TYPES, type ServiceType } from '@servicedeck/core';
import type { CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { PluginNameError, pluginNames, type ScaffoldFile, scaffoldPlugin } from '../scaffold/index.js';

/** Options of `new plugin`. */
export interface NewPluginOptions {
  /** Where to write the package (default: `./<package name without its scope>`), relative to the cwd. */
  readonly dir?: string;
  /** The service's type in its metadata (default `external`). */
  readonly type?: ServiceType;
  /** One line saying what the service is for (default: a sentence naming its health check). */
  readonly description?: string;
  /** Replace a target directory that exists and is not empty (its contents are deleted). */
  readonly force?: boolean;
  /** Print a JSON object instead of the text. */
  readonly json?: boolean;
}

/** What `servicedeck new plugin --json` prints. */
export interface NewPluginJson {
  /** The npm package name. */
  readonly packageName: string;
  /** The service's id. */
  readonly serviceId: string;
  /** The service class. */
  readonly className: string;
  readonly type: ServiceType;
  /** The package's directory, absolute. */
  readonly directory: string;
  /** Every file written, relative to `directory`, with `/` separators, sorted. */
  readonly files: readonly string[];
}

/** The type a new service gets without `--type`. */
export const DEFAULT_SERVICE_TYPE: ServiceType = 'external';

const MAX_DESCRIPTION = 200;

/** The state of the target directory. */
type TargetState = 'missing' | 'empty' | 'not-empty' | 'not-a-directory';

async function targetState(target: string): Promise<TargetState> {
  try {
    if (!(await stat(target)).isDirectory()) return 'not-a-directory';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw cannotWrite(target, error);
  }
  try {
    return (await readdir(target)).length === 0 ? 'empty' : 'not-empty';
  } catch (error) {
    throw cannotWrite(target, error);
  }
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file is in the way',
  ENAMETOOLONG: 'the path is too long',
};

/** A file-system error in words: `permission denied (EACCES)`. */
function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** A failure to write the package as one line, exit 1. */
function cannotWrite(where: string, error: unknown): CliError {
  return new CliError(
    `Cannot write the plugin to ${where}: ${describeFsError(error)}. Nothing was written.`,
    EXIT.failed,
  );
}

/** Whether `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function checkDescription(description: string | undefined, fallback: string): string {
  if (description === undefined) return fallback;
  const text = description.trim();
  if (text === '' || text.length > MAX_DESCRIPTION || [...text].some((char) => char < ' ')) {
    throw new CliError(
      `--description must be one line of 1 to ${MAX_DESCRIPTION} characters; it goes into package.json, the service's metadata and the README.`,
    );
  }
  return text;
}

/**
 * Writes `files` into a new directory next to `target`, then renames it to `target`. An empty `target`
 * is replaced; a non-empty one only with `replace`, and it is deleted only once the new one is in place.
 * On failure, everything this created is removed and the old directory is back.
 */
async function writePackage(
  target: string,
  files: readonly ScaffoldFile[],
  state: TargetState,
  replace: boolean,
): Promise<void> {
  const parent = path.dirname(target);
  let createdParent: string | undefined;
  let staging: string | undefined;
  let previous: string | undefined;
  try {
    createdParent = await mkdir(parent, { recursive: true });
    const candidate = path.join(parent, `.${path.basename(target)}-new-${randomBytes(4).toString('hex')}`);
    await mkdir(candidate);
    staging = candidate;
    for (const file of files) {
      const destination = path.join(staging, ...file.path.split('/'));
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(destination, file.content, { flag: 'wx' });
    }
    if (state === 'empty') await rmdir(target);
    if (state === 'not-empty' && replace) {
      previous = `${staging}-previous`;
      await rename(target, previous);
    }
    await rename(staging, target);
    staging = undefined;
  } catch (error) {
    if (staging) await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (previous) await rename(previous, target).catch(() => undefined);
    if (state === 'empty') await mkdir(target).catch(() => undefined);
    if (createdParent) await rm(createdParent, { recursive: true, force: true }).catch(() => undefined);
    throw cannotWrite(target, error);
  }
  if (previous) {
    const replaced = previous;
    await rm(replaced, { recursive: true, force: true }).catch((error: unknown) => {
      throw new CliError(
        `The plugin was written to ${target}, but the directory it replaced could not be deleted from ${replaced}: ${describeFsError(error)}.`,
        EXIT.failed,
      );
    });
  }
}

/**
 * Scaffolds a plugin package and prints what it wrote and what to do next; exits 0.
 *
 * @param name - a service id (`weather`: package `servicedeck-plugin-weather`) or a package name
 *   (`servicedeck-weather`, `@acme/servicedeck-weather`: service `weather`).
 * @throws CliError exit 2 for an invalid name, type or description, or a target that exists and is not
 *   an empty directory (without `force`); exit 1 when the files cannot be written.
 */
export async function newPlugin(
  context: CommandContext,
  name: string,
  options: NewPluginOptions = {},
): Promise<number> {
  const type = options.type ?? DEFAULT_SERVICE_TYPE;
  if (!SERVICE_TYPES.includes(type)) {
    throw new CliError(`--type must be one of ${SERVICE_TYPES.join(', ')}, not "${type}".`);
  }
  let names: ReturnType<typeof pluginNames>;
  try {
    names = pluginNames(name);
  } catch (error) {
    if (error instanceof PluginNameError) throw new CliError(error.message);
    throw error;
  }
  const description = checkDescription(
    options.description,
    `Watches the ${names.title} endpoint and reports its health to servicedeck.`,
  );
  const { cwd } = context.io;
  const target = path.resolve(cwd, options.dir ?? names.directory);
  const shown = path.relative(cwd, target) || '.';
  const state = await targetState(target);
  if (state === 'not-a-directory') {
    throw new CliError(`${shown} exists and is not a directory; choose another place with --dir.`);
  }
  if (state === 'not-empty') {
    if (!options.force) {
      throw new CliError(
        `${shown} already exists and is not empty; choose another place with --dir, or give --force to replace it.`,
      );
    }
    if (within(cwd, target)) {
      throw new CliError(
        `${shown} holds the working directory; --force will not replace it. Choose another place with --dir.`,
      );
    }
  }

  const files = scaffoldPlugin({ ...names, type, description });
  await writePackage(target, files, state, Boolean(options.force));

  const result: NewPluginJson = {
    packageName: names.packageName,
    serviceId: names.serviceId,
    className: names.className,
    type,
    directory: target,
    files: files.map((file) => file.path),
  };
  if (options.json) {
    context.print(JSON.stringify(result, null, 2));
    return EXIT.ok;
  }
  const { style } = context;
  context.print(
    `${style('bold', `Created ${names.packageName}`)} in ${shown}: service "${names.serviceId}" (${names.className}, ${type}).`,
  );
  for (const file of result.files) context.print(`  ${file}`);
  context.print('');
  context.print('Next:');
  if (shown !== '.') context.print(`  cd ${shown.includes(' ') ? JSON.stringify(shown) : shown}`);
  context.print('  npm install');
  context.print('  npm test        builds dist/ and runs its tests');
  context.print(
    `Then add it to your bot's dependencies (npm install <this directory>, or publish it and npm install ${names.packageName}); servicedeck discover shows its service.`,
  );
  return EXIT.ok;
}
