/**
 * `servicedeck new plugin`: the package it writes builds, passes its own test offline and is discovered by
 * the built `servicedeck`; names are derived as documented; invalid names, occupied directories and
 * unwritable places are refused with one line and nothing written.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICEDECK_VERSION } from '@servicedeck/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NewPluginJson, type NewPluginOptions, newPlugin } from '../../src/commands/new-plugin.js';
import { createContext } from '../../src/context.js';
import { CliError } from '../../src/errors.js';
import { captureIo } from '../support/io.js';

const CLI_DIR = fileURLToPath(new URL('../../', import.meta.url));
const WORKSPACE = path.resolve(CLI_DIR, '../..');
const BIN = path.join(CLI_DIR, 'bin', 'servicedeck.js');
const BUILT = [path.join(CLI_DIR, 'dist', 'main.js'), path.join(WORKSPACE, 'packages/core/dist/index.js')];

const FILES = (id: string): string[] =>
  [
    '.gitignore',
    'README.md',
    'package.json',
    'src/config.ts',
    'src/index.ts',
    'src/probe.ts',
    'src/version.ts',
    `src/${id}.service.ts`,
    `test/${id}.service.test.mjs`,
    'tsconfig.build.json',
    'tsconfig.json',
  ].sort();

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs a command to its end and keeps what it printed; never rejects. */
function exec(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

/** The built `servicedeck` command. */
function servicedeck(args: readonly string[], cwd: string): Promise<Ran> {
  return exec(process.execPath, [BIN, ...args], cwd);
}

/**
 * Makes a generated package's dependencies resolvable offline, as `npm install` would: core, TypeScript
 * and Node's types linked from this workspace, and the `tsc` command.
 */
async function linkDependencies(dir: string): Promise<void> {
  const modules = path.join(dir, 'node_modules');
  await mkdir(path.join(modules, '@servicedeck'), { recursive: true });
  await mkdir(path.join(modules, '@types'), { recursive: true });
  await mkdir(path.join(modules, '.bin'), { recursive: true });
  await symlink(path.join(WORKSPACE, 'packages/core'), path.join(modules, '@servicedeck/core'), 'dir');
  await symlink(path.join(WORKSPACE, 'node_modules/typescript'), path.join(modules, 'typescript'), 'dir');
  await symlink(path.join(WORKSPACE, 'node_modules/@types/node'), path.join(modules, '@types/node'), 'dir');
  await symlink('../typescript/bin/tsc', path.join(modules, '.bin/tsc'));
}

/** A bot's project with `packageName` installed (linked into its node_modules), not listed in its package.json. */
async function botWith(root: string, packageName: string, packageDir: string): Promise<string> {
  const bot = path.join(root, 'bot');
  const link = path.join(bot, 'node_modules', ...packageName.split('/'));
  await mkdir(path.dirname(link), { recursive: true });
  await writeFile(path.join(bot, 'package.json'), JSON.stringify({ name: 'bot', private: true }));
  await symlink(packageDir, link, 'dir');
  return bot;
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-new-plugin-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `newPlugin` in-process in `cwd`, as the command does; resolves with the exit code and output. */
async function scaffold(name: string, options: NewPluginOptions = {}, cwd = dir): Promise<Ran> {
  const io = captureIo(cwd, { NO_COLOR: '1' });
  const context = await createContext({}, io);
  const code = await newPlugin(context, name, options);
  return { code, out: io.out(), err: io.err() };
}

/** The one-line error and exit code `newPlugin` fails with. */
async function refusal(
  name: string,
  options: NewPluginOptions = {},
): Promise<{ message: string; exitCode: number }> {
  try {
    await scaffold(name, options);
  } catch (error) {
    if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
    throw error;
  }
  throw new Error(`new plugin ${name} was not refused`);
}

describe('newPlugin', () => {
  it.each([
    ['weather', 'servicedeck-plugin-weather', 'weather', 'WeatherService', 'servicedeck-plugin-weather'],
    ['servicedeck-weather', 'servicedeck-weather', 'weather', 'WeatherService', 'servicedeck-weather'],
    ['servicedeck-plugin-s3', 'servicedeck-plugin-s3', 's3', 'S3Service', 'servicedeck-plugin-s3'],
    ['@acme/weather', '@acme/weather', 'weather', 'WeatherService', 'weather'],
    [
      '@acme/servicedeck-redis-cache',
      '@acme/servicedeck-redis-cache',
      'redis-cache',
      'RedisCacheService',
      'servicedeck-redis-cache',
    ],
    [
      '  job_queue ',
      'servicedeck-plugin-job_queue',
      'job_queue',
      'JobQueueService',
      'servicedeck-plugin-job_queue',
    ],
  ])(
    'GIVEN the name %j THEN it writes package %s with service %s (%s) into ./%s',
    async (name, packageName, serviceId, className, directory) => {
      const { code, out } = await scaffold(name, { json: true });
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({
        packageName,
        serviceId,
        className,
        type: 'external',
        directory: path.join(dir, directory),
        files: FILES(serviceId),
      } satisfies NewPluginJson);
      const manifest = await readJson<{ name: string }>(path.join(dir, directory, 'package.json'));
      expect(manifest.name).toBe(packageName);
      expect(await readFile(path.join(dir, directory, `src/${serviceId}.service.ts`), 'utf8')).toContain(
        `export class ${className} extends BaseService<`,
      );
    },
  );

  it('GIVEN no options THEN it prints what it wrote and what to do next', async () => {
    const { code, out, err } = await scaffold('weather');
    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toBe(
      [
        'Created servicedeck-plugin-weather in servicedeck-plugin-weather: service "weather" (WeatherService, external).',
        ...FILES('weather').map((file) => `  ${file}`),
        '',
        'Next:',
        '  cd servicedeck-plugin-weather',
        '  npm install',
        '  npm test        builds dist/ and runs its tests',
        "Then add it to your bot's dependencies (npm install <this directory>, or publish it and npm install servicedeck-plugin-weather); servicedeck discover shows its service.",
        '',
      ].join('\n'),
    );
  });

  it('GIVEN the CLI that runs THEN the package depends on its core and on the TypeScript and Node.js it is built with', async () => {
    await scaffold('weather', { type: 'wrapper', description: 'Forecasts for the "weather" command.' });
    const cli = await readJson<{
      devDependencies: Record<string, string>;
      engines: Record<string, string>;
    }>(path.join(CLI_DIR, 'package.json'));
    const manifest = await readJson<Record<string, unknown>>(
      path.join(dir, 'servicedeck-plugin-weather', 'package.json'),
    );
    expect(manifest).toMatchObject({
      name: 'servicedeck-plugin-weather',
      version: '0.1.0',
      description: 'Forecasts for the "weather" command.',
      type: 'module',
      servicedeck: { services: ['dist/**/*.service.js'] },
      engines: { node: cli.engines.node },
      scripts: {
        build: 'tsc -p tsconfig.build.json',
        test: 'tsc -p tsconfig.build.json && node --test test/*.test.mjs',
      },
      peerDependencies: { '@servicedeck/core': `^${SERVICEDECK_VERSION}` },
      devDependencies: {
        '@servicedeck/core': `^${SERVICEDECK_VERSION}`,
        typescript: cli.devDependencies.typescript,
        '@types/node': cli.devDependencies['@types/node'],
      },
    });
    const service = await readFile(
      path.join(dir, 'servicedeck-plugin-weather', 'src/weather.service.ts'),
      'utf8',
    );
    expect(service).toContain(
      "  description: 'Forecasts for the \"weather\" command.',\n  type: 'wrapper',\n",
    );
  });

  it.each([
    [
      'Weather',
      'a package name has only lowercase letters, digits and - . _ ~, and does not start with . or _',
    ],
    [
      'weather api',
      'a package name has only lowercase letters, digits and - . _ ~, and does not start with . or _',
    ],
    ['@acme', 'a scoped package name is @scope/name, in lowercase'],
    ['@acme/', 'a scoped package name is @scope/name, in lowercase'],
    [
      '9lives',
      'its service id "9lives" must be lowercase letters and digits, start with a letter, and separate words with single - or _',
    ],
    [
      'servicedeck-plugin-redis--cache',
      'its service id "redis--cache" must be lowercase letters and digits, start with a letter, and separate words with single - or _',
    ],
    ['process', '"process" is the id of the service built into core'],
    ['base', 'its class would be BaseService, the name of the class it extends'],
  ])(
    'GIVEN the name %j THEN it refuses with exit 2, saying why, and writes nothing',
    async (name, reason) => {
      expect(await refusal(name)).toEqual({
        message: `"${name.trim()}" cannot name a plugin: ${reason}. Give a service id such as weather or redis-cache, or a package name such as servicedeck-plugin-weather or @acme/servicedeck-weather.`,
        exitCode: 2,
      });
      expect(await readdir(dir)).toEqual([]);
    },
  );

  it('GIVEN a description of several lines THEN it refuses with exit 2 and writes nothing', async () => {
    expect(await refusal('weather', { description: 'one\ntwo' })).toEqual({
      message:
        "--description must be one line of 1 to 200 characters; it goes into package.json, the service's metadata and the README.",
      exitCode: 2,
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('GIVEN a directory that is not empty THEN it refuses with exit 2 and leaves it as it was', async () => {
    await mkdir(path.join(dir, 'servicedeck-plugin-weather'));
    await writeFile(path.join(dir, 'servicedeck-plugin-weather', 'notes.txt'), 'mine');
    expect(await refusal('weather')).toEqual({
      message:
        'servicedeck-plugin-weather already exists and is not empty; choose another place with --dir, or give --force to replace it.',
      exitCode: 2,
    });
    expect(await readdir(dir)).toEqual(['servicedeck-plugin-weather']);
    expect(await readdir(path.join(dir, 'servicedeck-plugin-weather'))).toEqual(['notes.txt']);
  });

  it('GIVEN a directory that is not empty and --force THEN it replaces it, and nothing else is left', async () => {
    await mkdir(path.join(dir, 'plugins', 'weather'), { recursive: true });
    await writeFile(path.join(dir, 'plugins', 'weather', 'notes.txt'), 'mine');
    const { code } = await scaffold('weather', { dir: 'plugins/weather', force: true });
    expect(code).toBe(0);
    expect(await readdir(path.join(dir, 'plugins'))).toEqual(['weather']);
    expect((await readdir(path.join(dir, 'plugins', 'weather'))).sort()).toEqual(
      [
        '.gitignore',
        'README.md',
        'package.json',
        'src',
        'test',
        'tsconfig.build.json',
        'tsconfig.json',
      ].sort(),
    );
  });

  it('GIVEN an empty directory THEN it writes the package into it', async () => {
    await mkdir(path.join(dir, 'servicedeck-plugin-weather'));
    expect((await scaffold('weather')).code).toBe(0);
    expect(existsSync(path.join(dir, 'servicedeck-plugin-weather', 'package.json'))).toBe(true);
    expect(await readdir(dir)).toEqual(['servicedeck-plugin-weather']);
  });

  it('GIVEN --force on the working directory THEN it refuses with exit 2 and deletes nothing', async () => {
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    expect(await refusal('weather', { dir: '.', force: true })).toEqual({
      message: '. holds the working directory; --force will not replace it. Choose another place with --dir.',
      exitCode: 2,
    });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('GIVEN a target that is a file THEN it refuses with exit 2', async () => {
    await writeFile(path.join(dir, 'weather'), 'a file');
    expect(await refusal('weather', { dir: 'weather', force: true })).toEqual({
      message: 'weather exists and is not a directory; choose another place with --dir.',
      exitCode: 2,
    });
  });

  it('GIVEN a place under a file THEN it fails with exit 1, saying it cannot write there, and writes nothing', async () => {
    await writeFile(path.join(dir, 'blocker'), 'a file');
    expect(await refusal('weather', { dir: 'blocker/weather' })).toEqual({
      message: `Cannot write the plugin to ${path.join(dir, 'blocker', 'weather')}: a part of the path is a file, not a directory (ENOTDIR). Nothing was written.`,
      exitCode: 1,
    });
    expect(await readdir(dir)).toEqual(['blocker']);
  });
});

describe('servicedeck new plugin (the built command)', () => {
  beforeEach(() => {
    for (const file of BUILT) {
      expect(existsSync(file), `${file} is missing: run pnpm build (npm test does it)`).toBe(true);
    }
  });

  it('GIVEN a service id THEN the package builds, passes its own test, and discover, list and health show its service', {
    timeout: 120_000,
  }, async () => {
    const created = await servicedeck(['new', 'plugin', 'weather'], dir);
    expect(created).toMatchObject({ code: 0, err: '' });
    expect(created.out).toMatch(/^Created servicedeck-plugin-weather in servicedeck-plugin-weather: /);
    const pkg = path.join(dir, 'servicedeck-plugin-weather');
    await linkDependencies(pkg);

    const test = await exec('npm', ['test'], pkg);
    expect(test.code, test.out + test.err).toBe(0);
    expect(test.out).toContain('# pass 8\n');
    expect(test.out).toContain('# fail 0\n');
    const typecheck = await exec('npm', ['run', 'typecheck'], pkg);
    expect(typecheck.code, typecheck.out + typecheck.err).toBe(0);

    const bot = await botWith(dir, 'servicedeck-plugin-weather', pkg);
    const global = ['--database', `sqlite:${path.join(dir, 'x.db')}`, '--root', bot];
    const plugin = ['--plugin', 'servicedeck-plugin-weather'];

    const discovered = await servicedeck([...global, ...plugin, 'discover', '--json'], dir);
    expect(discovered.code, discovered.err).toBe(0);
    const report = JSON.parse(discovered.out) as {
      packages: { name: string; version: string; services: string[] }[];
      services: { id: string; type: string; version: string; source: string }[];
      skipped: unknown[];
    };
    expect(report.packages).toEqual([
      expect.objectContaining({
        name: 'servicedeck-plugin-weather',
        version: '0.1.0',
        services: ['dist/**/*.service.js'],
      }),
    ]);
    expect(report.services.find((s) => s.id === 'weather')).toMatchObject({
      type: 'external',
      version: '0.1.0',
      source: `${path.join(pkg, 'dist', 'weather.service.js')} (package servicedeck-plugin-weather)`,
    });
    expect(report.skipped).toEqual([]);

    const listed = await servicedeck([...global, ...plugin, 'list', '--json'], dir);
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as { id: string }[]).find((row) => row.id === 'weather')).toMatchObject({
      name: 'Weather',
      description: 'Watches the Weather endpoint and reports its health to servicedeck.',
      type: 'external',
      version: '0.1.0',
      tags: ['http'],
      enabled: true,
      missing: false,
    });

    const health = await servicedeck([...global, ...plugin, 'health', 'weather', '--json'], dir);
    expect(health.code, health.err).toBe(0);
    expect(JSON.parse(health.out)).toEqual([
      expect.objectContaining({
        serviceId: 'weather',
        status: 'inactive',
        checked: false,
        message: 'not configured: url is required',
      }),
    ]);
  });

  it('GIVEN a scoped name, --type, --dir and --json THEN it prints the JSON object and that package passes its own test', {
    timeout: 120_000,
  }, async () => {
    const created = await servicedeck(
      [
        'new',
        'plugin',
        '@acme/servicedeck-redis-cache',
        '--type',
        'wrapper',
        '--dir',
        'plugins/cache',
        '--description',
        'The cache API.',
        '--json',
      ],
      dir,
    );
    expect(created.code, created.err).toBe(0);
    const pkg = path.join(dir, 'plugins', 'cache');
    expect(JSON.parse(created.out)).toEqual({
      packageName: '@acme/servicedeck-redis-cache',
      serviceId: 'redis-cache',
      className: 'RedisCacheService',
      type: 'wrapper',
      directory: pkg,
      files: FILES('redis-cache'),
    });
    await linkDependencies(pkg);
    const test = await exec('npm', ['test'], pkg);
    expect(test.code, test.out + test.err).toBe(0);
    expect(test.out).toContain('# fail 0\n');
  });

  it('GIVEN an invalid name THEN it prints one error line and exits 2, writing nothing', async () => {
    expect(await servicedeck(['new', 'plugin', 'Weather'], dir)).toEqual({
      code: 2,
      out: '',
      err: 'error: "Weather" cannot name a plugin: a package name has only lowercase letters, digits and - . _ ~, and does not start with . or _. Give a service id such as weather or redis-cache, or a package name such as servicedeck-plugin-weather or @acme/servicedeck-weather.\n',
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('GIVEN a directory that is not empty THEN it prints one error line and exits 2', async () => {
    await mkdir(path.join(dir, 'servicedeck-plugin-weather'));
    await writeFile(path.join(dir, 'servicedeck-plugin-weather', 'notes.txt'), 'mine');
    expect(await servicedeck(['new', 'plugin', 'weather'], dir)).toEqual({
      code: 2,
      out: '',
      err: 'error: servicedeck-plugin-weather already exists and is not empty; choose another place with --dir, or give --force to replace it.\n',
    });
  });

  it('GIVEN an unknown --type THEN it names the choices and exits 2', async () => {
    const ran = await servicedeck(['new', 'plugin', 'weather', '--type', 'database'], dir);
    expect(ran.code).toBe(2);
    expect(ran.err).toContain(
      "error: option '--type <type>' argument 'database' is invalid. Allowed choices are internal, external, wrapper.",
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('GIVEN --help on new plugin THEN it shows its usage, the naming rule and examples, exit 0', async () => {
    const ran = await servicedeck(['new', 'plugin', '--help'], dir);
    expect(ran.code).toBe(0);
    expect(ran.out).toContain('Usage: servicedeck new plugin [options] <name>');
    expect(ran.out).toContain('A bare service id gets the package name servicedeck-plugin-<id>');
    expect(ran.out).toContain('--json prints { packageName, serviceId, className, type, directory, files }');
    expect(ran.out).toContain('\nExamples:\n  $ servicedeck new plugin weather\n');
  });
});
