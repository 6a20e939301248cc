/**
 * Miniature host projects for discovery tests: a temporary directory with a package.json that depends on
 * fixture plugin packages, installed as symlinks in node_modules the way pnpm installs them.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture plugin packages' directory. */
export const FIXTURE_PLUGINS = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));
/** The fixture host services' directory. */
export const FIXTURE_HOST_SERVICES = fileURLToPath(new URL('../fixtures/host-services/', import.meta.url));

/** A temporary host project. */
export interface FixtureHost {
  readonly root: string;
  cleanup(): Promise<void>;
}

/**
 * Creates a host whose package.json depends on `dependencies` (fixture plugin names), each linked into
 * its node_modules. `installedOnly` are linked but not listed as dependencies.
 */
export async function createHost(
  dependencies: readonly string[],
  installedOnly: readonly string[] = [],
): Promise<FixtureHost> {
  const root = await mkdtemp(path.join(tmpdir(), 'servicedeck-host-'));
  await mkdir(path.join(root, 'node_modules'), { recursive: true });
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({
      name: 'fixture-bot',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(dependencies.map((name) => [name, '*'])),
    }),
  );
  for (const name of [...dependencies, ...installedOnly]) {
    await symlink(path.join(FIXTURE_PLUGINS, name), path.join(root, 'node_modules', name), 'dir');
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
