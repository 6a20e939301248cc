/**
 * Host projects for CLI tests: core's fixture plugins plus the CLI's own (under test/fixtures/plugins),
 * linked into node_modules and listed as dependencies the way pnpm installs them.
 */
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost, type FixtureHost } from '../../../core/test/support/host.js';

/** The CLI's fixture plugin packages' directory. */
export const CLI_FIXTURE_PLUGINS = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));

/** A host depending on `core` (core's fixture plugins) and `cli` (the CLI's fixture plugins). */
export async function createCliHost(
  core: readonly string[],
  cli: readonly string[] = [],
): Promise<FixtureHost> {
  const host = await createHost(core);
  const manifest = path.join(host.root, 'package.json');
  const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { dependencies: Record<string, string> };
  for (const name of cli) {
    await symlink(path.join(CLI_FIXTURE_PLUGINS, name), path.join(host.root, 'node_modules', name), 'dir');
    pkg.dependencies[name] = '*';
  }
  await writeFile(manifest, JSON.stringify(pkg));
  return host;
}
