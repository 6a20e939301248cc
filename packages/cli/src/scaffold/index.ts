/**
 * A new plugin package, as a list of files built from templates in code (so they ship inside the CLI's
 * dist): package.json with the servicedeck marker, TypeScript configurations, the service, its test and
 * its README.
 */
import { gitignore, packageJson, tsconfigs } from './package.js';
import { readmeFile } from './readme.js';
import { sourceFiles } from './source.js';
import type { PluginSpec, ScaffoldFile } from './spec.js';
import { testFile } from './test.js';

export { PluginNameError, type PluginNames, pluginNames, UNSCOPED_PREFIX } from './names.js';
export { SCRIPTS, SERVICE_GLOB } from './package.js';
export type { PluginSpec, ScaffoldFile } from './spec.js';
export {
  CORE_RANGE,
  INITIAL_PLUGIN_VERSION,
  NODE_ENGINE,
  TYPES_NODE_RANGE,
  TYPESCRIPT_RANGE,
} from './versions.js';

/** Every file of a new plugin package, sorted by path. */
export function scaffoldPlugin(spec: PluginSpec): ScaffoldFile[] {
  return [
    packageJson(spec),
    ...tsconfigs(),
    gitignore(),
    readmeFile(spec),
    ...sourceFiles(spec),
    testFile(spec),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
