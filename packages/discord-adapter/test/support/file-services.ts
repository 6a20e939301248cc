/**
 * A servicedeck whose services include real module files, as a bot's own service globs find them, so that
 * `/services reload` has code to load again: the test writes a new version of a file, then reloads it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger, type LogRecord, ServiceRegistryManager } from '@servicedeck/core';
import { createTestDatabase, type Dialect } from '../../../../tests/support/databases.js';
import { botServices, type Deck, type TestService } from '../../../../tests/support/deck.js';
import type { DiscordAdapterOptions } from '../../src/index.js';
import { attachHarness, type Harness, onCleanup } from './harness.js';

/** What a version of a service file declares and does. */
export interface ServiceFile {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  /** How `greet(name)` starts its answer (`<greeting>, <name>!`; default `Hello`). */
  readonly greeting?: string;
  readonly dependencies?: readonly string[];
  /** Milliseconds `enable()` takes. */
  readonly enableDelayMs?: number;
}

/** The source of a service module: `SERVICE_METADATA` and a default class, as a bot compiles one. */
export function serviceSource(file: ServiceFile): string {
  const metadata = {
    id: file.id,
    name: file.name,
    type: 'internal',
    version: file.version,
    dependencies: file.dependencies ?? [],
  };
  return `// ${file.name}, a service of the bot found by its service glob.
export const SERVICE_METADATA = ${JSON.stringify(metadata)};
export default class Service {
  healthCheck() {
    return 'active';
  }
  getMetadata() {
    return SERVICE_METADATA;
  }
  async enable() {
    await new Promise((resolve) => setTimeout(resolve, ${file.enableDelayMs ?? 0}));
  }
  disable() {}
  getConfig() {
    return {};
  }
  updateConfig() {}
  greet(name) {
    return ${JSON.stringify(file.greeting ?? 'Hello')} + ', ' + name + '!';
  }
}
`;
}

/** A harness whose manager also runs the service files, and where they are. */
export interface FileHarness extends Harness {
  /** The directory of the service files. */
  readonly servicesDir: string;
  /** Writes (or replaces) the file of `id` with `source`. */
  write(id: string, source: string): Promise<void>;
}

/**
 * A manager on a fresh `dialect` database that discovers `files` (written to `<dir>/services/<id>.service.mjs`,
 * found by the glob `services/*.service.mjs`) and also runs the registered {@link botServices}, with an
 * adapter attached.
 */
export async function startFileHarness(
  dialect: Dialect,
  files: readonly ServiceFile[],
  options: DiscordAdapterOptions = {},
  services: Record<string, TestService> = botServices(),
): Promise<FileHarness> {
  const db = await createTestDatabase(dialect);
  const servicesDir = path.join(db.dir, 'services');
  await mkdir(servicesDir, { recursive: true });
  const write = (id: string, source: string) =>
    writeFile(path.join(servicesDir, `${id}.service.mjs`), source, 'utf8');
  for (const file of files) await write(file.id, serviceSource(file));
  const logs: LogRecord[] = [];
  const manager = new ServiceRegistryManager({
    database: { url: db.url },
    discovery: { root: db.dir, serviceGlobs: ['services/*.service.mjs'], scanDependencies: false },
    config: { cwd: db.dir, env: {} },
    processHealth: false,
    health: { schedule: false, cacheTtlMs: 0 },
    sync: { enabled: false },
    logger: createLogger({ sink: (record) => logs.push(record), level: 'debug' }),
  });
  for (const service of Object.values(services)) manager.registerService(service);
  onCleanup(async () => {
    await manager.shutdown();
    await db.cleanup();
  });
  await manager.start();
  const deck: Deck = { manager, services, db, logs };
  const harness = await attachHarness(deck, options);
  return Object.assign(harness, { servicesDir, write });
}
