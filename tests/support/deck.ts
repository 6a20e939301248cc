/**
 * A real servicedeck for the adapter's tests: a manager on a real database (a SQLite file, or the
 * worker's PostgreSQL database) with services whose health and behaviour the test controls.
 */
import {
  createLogger,
  type HealthCheckResult,
  type JsonObject,
  type LogRecord,
  type ServiceInterface,
  type ServiceMetadataInput,
  ServiceRegistryManager,
} from '@servicedeck/core';
import { afterEach } from 'vitest';
import { createTestDatabase, type Dialect, type TestDatabase } from './databases.js';

/** A service whose health the test sets. */
export class TestService implements ServiceInterface {
  public healthy = true;
  public message = 'ok';
  public checkDelayMs = 0;
  public failEnable = false;
  public config: JsonObject = {};
  public enabled = false;

  public constructor(private readonly metadata: ServiceMetadataInput) {}

  public async healthCheck(): Promise<HealthCheckResult> {
    if (this.checkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.checkDelayMs));
    if (!this.healthy) throw new Error(this.message);
    return { status: 'active', message: this.message };
  }
  public getMetadata(): ServiceMetadataInput {
    return this.metadata;
  }
  public enable(): void {
    if (this.failEnable) throw new Error('cannot connect: connection refused');
    this.enabled = true;
  }
  public disable(): void {
    this.enabled = false;
  }
  public getConfig(): JsonObject {
    return this.config;
  }
  public updateConfig(config: JsonObject): void {
    this.config = config;
  }
}

const quick = { failureThreshold: 1, successThreshold: 1, intervalMs: 60_000, timeoutMs: 2_000 };

/** The services of a small bot: a database, things depending on it, an API wrapper with settings. */
export function botServices(): Record<string, TestService> {
  return {
    database: new TestService({
      id: 'database',
      name: 'Database',
      description: 'The bot’s PostgreSQL database.',
      type: 'internal',
      version: '1.0.0',
      healthCheck: quick,
      tags: ['storage'],
    }),
    reminders: new TestService({
      id: 'reminders',
      name: 'Reminders',
      description: 'Reminds members of things.',
      type: 'internal',
      dependencies: ['database'],
      healthCheck: quick,
    }),
    digest: new TestService({
      id: 'digest',
      name: 'Daily digest',
      type: 'internal',
      dependencies: ['reminders'],
      healthCheck: quick,
    }),
    github: new TestService({
      id: 'github',
      name: 'GitHub',
      description: 'Issues and pull requests.',
      type: 'external',
      healthCheck: quick,
      configSchema: {
        type: 'object',
        properties: {
          token: { type: 'string', writeOnly: true, description: 'A personal access token' },
          org: { type: 'string', description: 'The organisation' },
          retries: { type: 'integer', minimum: 0, maximum: 10, default: 3 },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    }),
  };
}

/** A started manager and what it runs on. */
export interface Deck {
  readonly manager: ServiceRegistryManager;
  readonly services: Record<string, TestService>;
  readonly db: TestDatabase;
  readonly logs: LogRecord[];
}

const open: Deck[] = [];

afterEach(async () => {
  for (const deck of open.splice(0)) {
    await deck.manager.shutdown();
    await deck.db.cleanup();
  }
});

/** A manager on a fresh `dialect` database running `services` (default: {@link botServices}). */
export async function startDeck(
  dialect: Dialect,
  services: Record<string, TestService> = botServices(),
  disabled: readonly string[] = [],
  /** Follow the change feed (polling every 100 ms), so `change` events are emitted. */
  options: { readonly sync?: boolean } = {},
): Promise<Deck> {
  const db = await createTestDatabase(dialect);
  const logs: LogRecord[] = [];
  const manager = new ServiceRegistryManager({
    database: { url: db.url },
    discovery: { root: db.dir, scanDependencies: false },
    config: { cwd: db.dir, env: {} },
    processHealth: false,
    health: { schedule: false, cacheTtlMs: 0 },
    sync: options.sync ? { pollIntervalMs: 100 } : { enabled: false },
    logger: createLogger({ sink: (record) => logs.push(record), level: 'debug' }),
  });
  for (const service of Object.values(services)) manager.registerService(service);
  await manager.start();
  for (const id of disabled) {
    await manager.disableService(id, { actor: 'setup', adapter: 'test', cascade: true });
  }
  const deck = { manager, services, db, logs };
  open.push(deck);
  return deck;
}

/** `count` services like those of a big bot: a few failing, some disabled. */
export function manyServices(count: number): Record<string, TestService> {
  const services: Record<string, TestService> = {};
  for (let i = 0; i < count; i += 1) {
    const id = `svc-${String(i).padStart(3, '0')}`;
    const service = new TestService({
      id,
      name: `Service ${i} with a rather long descriptive name`,
      description: `Service number ${i}.`,
      type: i % 3 === 0 ? 'external' : 'internal',
      healthCheck: quick,
    });
    if (i % 50 === 7) {
      service.healthy = false;
      service.message = `upstream ${i} answered 503 Service Unavailable after retrying three times`;
    }
    services[id] = service;
  }
  return services;
}
