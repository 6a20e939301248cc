/**
 * Service modules on disk that tests rewrite and reload: a temporary host project whose `services/`
 * files are found by a service glob, with `@servicedeck/core` linked into its node_modules.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CORE_PACKAGE = fileURLToPath(new URL('../../', import.meta.url));

/** What a generated service module does. */
export interface ServiceModuleSpec {
  readonly id: string;
  readonly version?: string;
  readonly dependencies?: readonly string[];
  readonly onDependencyReload?: 'restart' | 'notify';
  /** What `greet()` answers: the observable behaviour of this version. */
  readonly greeting?: string;
  /** `enable()` throws this message. */
  readonly enableThrows?: string;
  /** Milliseconds `enable()` takes. */
  readonly enableDelayMs?: number;
  /** What `healthCheck()` answers (default `active`). */
  readonly health?: 'active' | 'error';
  /** The configuration schema. */
  readonly configSchema?: Record<string, unknown>;
  /** Extra statements run by `enable()`, with `this` the instance. */
  readonly enableExtra?: string;
  /** Extra statements run by `disable()`. */
  readonly disableExtra?: string;
  /** Raw text appended to the module (to break it, say). */
  readonly append?: string;
}

/** The source of a service module for `spec`. */
export function serviceModule(spec: ServiceModuleSpec): string {
  const metadata = {
    id: spec.id,
    name: spec.id,
    type: 'internal',
    version: spec.version ?? '1.0.0',
    dependencies: spec.dependencies ?? [],
    healthCheck: { intervalMs: 60_000, failureThreshold: 1 },
    ...(spec.onDependencyReload ? { onDependencyReload: spec.onDependencyReload } : {}),
    ...(spec.configSchema ? { configSchema: spec.configSchema } : {}),
  };
  const dependencies = spec.dependencies ?? [];
  return `import { inject, injectable, serviceToken } from '@servicedeck/core';
export const SERVICE_METADATA = ${JSON.stringify(metadata)};
globalThis.__reloadLog ??= [];
export default class ReloadableService {
  constructor(...dependencies) {
    this.dependencies = dependencies;
    this.version = ${JSON.stringify(metadata.version)};
    this.disabled = false;
    this.reloaded = [];
  }
  healthCheck() {
    if (this.disabled) globalThis.__reloadLog.push('check after disable: ${spec.id}@' + this.version);
    return ${JSON.stringify(spec.health ?? 'active')};
  }
  getMetadata() { return SERVICE_METADATA; }
  async enable() {
    ${spec.enableDelayMs ? `await new Promise((resolve) => setTimeout(resolve, ${spec.enableDelayMs}));` : ''}
    ${spec.enableThrows ? `throw new Error(${JSON.stringify(spec.enableThrows)});` : ''}
    ${spec.enableExtra ?? ''}
    globalThis.__reloadLog.push('enable: ${spec.id}@' + this.version);
  }
  async disable() {
    ${spec.disableExtra ?? ''}
    this.disabled = true;
    globalThis.__reloadLog.push('disable: ${spec.id}@' + this.version);
  }
  getConfig() { return this.config ?? {}; }
  updateConfig(config) { this.config = config; }
  greet() {
    if (this.disabled) throw new Error('${spec.id}@' + this.version + ' used after disable()');
    return ${JSON.stringify(spec.greeting ?? 'hello')};
  }
  dependency(index = 0) { return this.dependencies[index]; }
  dependencyReloaded(id, instance) {
    this.reloaded.push(id);
    this.dependencies = this.dependencies.map((d, i) => (SERVICE_METADATA.dependencies[i] === id ? instance : d));
  }
}
${dependencies.map((dep, index) => `inject(serviceToken(${JSON.stringify(dep)}))(ReloadableService, undefined, ${index});`).join('\n')}
injectable()(ReloadableService);
${spec.append ?? ''}
`;
}

/** The lifecycle calls every generated module recorded (process-wide). */
export function reloadLog(): string[] {
  const global = globalThis as { __reloadLog?: string[] };
  global.__reloadLog ??= [];
  return global.__reloadLog;
}

/** A host project with reloadable service modules. */
export interface ReloadableHost {
  readonly root: string;
  /** The service glob relative to `root`. */
  readonly glob: string;
  /** The path of a service's module. */
  file(id: string): string;
  /** Writes (or rewrites) a service's module. */
  write(spec: ServiceModuleSpec): Promise<void>;
}

/** Creates the host in `root` (an empty test directory) with the given services. */
export async function createReloadableHost(
  root: string,
  services: readonly ServiceModuleSpec[],
): Promise<ReloadableHost> {
  await mkdir(path.join(root, 'services'), { recursive: true });
  await mkdir(path.join(root, 'node_modules', '@servicedeck'), { recursive: true });
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'reload-host', private: true, type: 'module' }),
  );
  await symlink(CORE_PACKAGE, path.join(root, 'node_modules', '@servicedeck', 'core'), 'dir');
  const host: ReloadableHost = {
    root,
    glob: 'services/*.service.mjs',
    file: (id) => path.join(root, 'services', `${id}.service.mjs`),
    write: (spec) => writeFile(host.file(spec.id), serviceModule(spec)),
  };
  for (const spec of services) await host.write(spec);
  return host;
}
