/**
 * Property-based tests: whatever configuration is thrown at a service, validation never crashes, invalid
 * settings are never stored, and a secret never appears in anything servicedeck says.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../tests/support/databases.js';
import { BaseService } from '../../src/base-service.js';
import { isServiceDeckError } from '../../src/errors.js';
import { createLogger, type LogRecord } from '../../src/logger.js';
import { ServiceRegistryManager } from '../../src/manager.js';
import { checkConfig } from '../../src/schema.js';
import type { JsonObject, JsonValue, ServiceMetadataInput } from '../../src/types.js';

const SCHEMA = {
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri' },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 443 },
    mode: { enum: ['fast', 'safe'], default: 'safe' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
    apiKey: { type: 'string', minLength: 12, 'x-secret': true },
  },
  required: ['url'],
  additionalProperties: false,
};

const METADATA: ServiceMetadataInput = {
  id: 'prop',
  name: 'Property',
  type: 'external',
  configSchema: SCHEMA,
};

class PropService extends BaseService {
  public override getMetadata() {
    return METADATA as never;
  }
  public healthCheck() {
    return 'active' as const;
  }
}

/** Values of every JSON shape, and keys both known and unknown to the schema. */
const jsonValue: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;
const patch = fc.dictionary(
  fc.oneof(fc.constantFrom('url', 'port', 'mode', 'tags', 'apiKey'), fc.string({ maxLength: 8 })),
  fc.oneof(
    jsonValue,
    fc.constant(null),
    fc.webUrl(),
    fc.integer({ min: -10, max: 70_000 }),
    fc.constantFrom('fast', 'safe'),
  ),
  { maxKeys: 6 },
) as fc.Arbitrary<JsonObject>;

describe('configuration properties', () => {
  it('GIVEN any object THEN validation returns problems or a valid configuration, never throws', () => {
    fc.assert(
      fc.property(patch, (config) => {
        const result = checkConfig(SCHEMA, config, 'prop');
        for (const problem of result.problems) {
          expect(typeof problem.path).toBe('string');
          expect(problem.message.length).toBeGreaterThan(0);
        }
        if (result.problems.length === 0)
          expect(checkConfig(SCHEMA, result.config, 'prop').problems).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  describe('through the manager', () => {
    let testDb: TestDatabase;
    let manager: ServiceRegistryManager;
    const logs: LogRecord[] = [];
    beforeAll(async () => {
      testDb = await createTestDatabase('sqlite');
      manager = new ServiceRegistryManager({
        database: { url: testDb.url },
        discovery: { root: testDb.dir },
        processHealth: false,
        health: { schedule: false },
        config: { env: {}, cwd: testDb.dir },
        logger: createLogger({ level: 'debug', sink: (record) => logs.push(record) }),
      });
      manager.registerService(new PropService());
      await manager.start();
    });
    afterAll(async () => {
      await manager.shutdown();
      await testDb.cleanup();
    });

    it('GIVEN random changes THEN the stored configuration is always valid, and a rejected one changes nothing', async () => {
      await fc.assert(
        fc.asyncProperty(patch, async (change) => {
          const before = await manager.getConfig('prop');
          try {
            await manager.updateConfig('prop', change, { actor: 'fuzz', adapter: 'test' });
          } catch (error) {
            expect(isServiceDeckError(error, 'SD_ERR_CONFIG_INVALID')).toBe(true);
            expect((await manager.getConfig('prop')).version).toBe(before.version);
          }
          const after = await manager.getConfig('prop');
          if (after.version > 0) expect(after.problems).toEqual([]);
        }),
        { numRuns: 60 },
      );
    });

    it('GIVEN secrets set, changed, rejected and rolled back THEN the plaintext never appears in any output or log', async () => {
      const secrets = ['sk_live_first_secret_value', 'sk_live_second_secret_value', 'short'];
      const outputs: unknown[] = [];
      const capture = async (work: () => Promise<unknown>): Promise<void> => {
        try {
          outputs.push(await work());
        } catch (error) {
          outputs.push({
            message: (error as Error).message,
            details: (error as { details?: unknown }).details,
          });
        }
      };
      const actor = { actor: 'alice', adapter: 'test' };
      await capture(() =>
        manager.updateConfig('prop', { url: 'https://api.example.com', apiKey: secrets[0] as string }, actor),
      );
      await capture(() => manager.updateConfig('prop', { apiKey: secrets[1] as string }, actor));
      await capture(() => manager.updateConfig('prop', { apiKey: secrets[2] as string, port: 0 }, actor));
      await capture(() => manager.getConfig('prop'));
      await capture(() => manager.configHistory('prop'));
      const history = await manager.configHistory('prop');
      await capture(() => manager.rollbackConfig('prop', history.at(-1)?.version ?? 1, actor));
      await capture(() => manager.auditLog());
      await capture(() => manager.rotateKeys(actor));
      await capture(() => manager.listServices());
      const everything = JSON.stringify({ outputs, logs });
      for (const secret of secrets) expect(everything).not.toContain(secret);
      expect(everything).toContain('••••••');
    });
  });
});
