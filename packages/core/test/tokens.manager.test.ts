import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../tests/support/databases.js';
import { ServiceRegistryManager } from '../src/manager.js';

const admin = { actor: 'alice', adapter: 'web', origin: '127.0.0.1' };

describe.each(DIALECTS)('API tokens on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let testDb: TestDatabase | undefined;
  let manager: ServiceRegistryManager | undefined;
  afterEach(async () => {
    await manager?.shutdown();
    manager = undefined;
    await testDb?.cleanup();
  });

  async function start(): Promise<ServiceRegistryManager> {
    testDb = await createTestDatabase(dialect);
    manager = new ServiceRegistryManager({
      database: { url: testDb.url },
      discovery: { root: testDb.dir, scanDependencies: false },
      processHealth: false,
      health: { schedule: false },
      sync: { enabled: false },
      config: { env: {}, cwd: testDb.dir },
    });
    await manager.start();
    return manager;
  }

  it.skipIf(skip)(
    'GIVEN a token created THEN it is shown once, stored only hashed, authenticates with its scope, and is audited',
    async () => {
      const m = await start();
      const { token, info } = await m.createApiToken({ ...admin, name: ' grafana ', scope: 'read' });
      expect(token).toMatch(/^sdk_[A-Za-z0-9_-]{43}$/);
      expect(info).toMatchObject({
        name: 'grafana',
        scope: 'read',
        prefix: token.slice(0, 10),
        createdBy: 'alice',
      });
      expect(info.lastUsedAt).toBeNull();
      const rows = await m.database.repos.apiTokens.findAll({ raw: true });
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(rows)).not.toContain(token.slice(10));

      const used = await m.authenticateApiToken(token);
      expect(used).toMatchObject({ id: info.id, scope: 'read' });
      expect((await m.listApiTokens())[0]?.lastUsedAt).toBeInstanceOf(Date);
      expect(
        await m.authenticateApiToken(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`),
      ).toBeUndefined();
      expect(await m.authenticateApiToken('not a token')).toBeUndefined();

      const [entry] = await m.auditLog({ action: 'token.create' });
      expect(entry).toMatchObject({
        actor: 'alice',
        adapter: 'web',
        origin: '127.0.0.1',
        result: 'ok',
        details: { tokenId: info.id, name: 'grafana', scope: 'read' },
      });
      expect(JSON.stringify(entry)).not.toContain(token);
    },
  );

  it.skipIf(skip)(
    'GIVEN a revoked token THEN it no longer authenticates, and revoking is audited',
    async () => {
      const m = await start();
      const { token, info } = await m.createApiToken({ ...admin, name: 'deploy', scope: 'manage' });
      const revoked = await m.revokeApiToken(info.id, admin);
      expect(revoked.revokedAt).toBeInstanceOf(Date);
      expect(await m.authenticateApiToken(token)).toBeUndefined();
      expect((await m.auditLog({ action: 'token.revoke' }))[0]).toMatchObject({
        details: { tokenId: info.id, name: 'deploy' },
      });
      await expect(m.revokeApiToken(9999, admin)).rejects.toMatchObject({
        code: 'SD_ERR_API_TOKEN_NOT_FOUND',
        message: 'No API token 9999. List the tokens to see their ids.',
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN a bad name or scope THEN nothing is created and the error says what to fix',
    async () => {
      const m = await start();
      await expect(m.createApiToken({ ...admin, name: '  ', scope: 'admin' as never })).rejects.toMatchObject(
        {
          code: 'SD_ERR_CONFIG_INVALID',
          message: expect.stringContaining(
            'the name must be 1 to 100 characters; the scope must be read or manage',
          ),
        },
      );
      expect(await m.listApiTokens()).toEqual([]);
    },
  );

  it.skipIf(skip)('GIVEN audit entries THEN afterId follows the log from a known entry', async () => {
    const m = await start();
    const first = await m.createApiToken({ ...admin, name: 'a', scope: 'read' });
    const [mark] = await m.auditLog({ limit: 1 });
    await m.revokeApiToken(first.info.id, admin);
    const after = await m.auditLog({ afterId: mark?.id ?? 0 });
    expect(after.map((e) => e.action)).toEqual(['token.revoke']);
  });

  it.skipIf(skip)(
    'GIVEN a login token THEN it opens one session only, within its lifetime, and is never an API token',
    async () => {
      const m = await start();
      const token = await m.createLoginToken({ actor: 'root', adapter: 'cli' });
      expect(token).toMatch(/^sdl_[A-Za-z0-9_-]{43}$/);
      expect(await m.authenticateApiToken(token)).toBeUndefined();
      expect(await m.listApiTokens()).toEqual([]);
      const [first, second] = await Promise.all([m.redeemLoginToken(token), m.redeemLoginToken(token)]);
      expect([first, second].filter(Boolean)).toEqual([{ createdBy: 'root' }]);
      expect(await m.redeemLoginToken(token)).toBeUndefined();

      const old = await m.createLoginToken({ actor: 'root', adapter: 'cli' });
      expect(await m.redeemLoginToken(old, -1)).toBeUndefined();
      expect(await m.redeemLoginToken(old)).toBeUndefined();
      expect((await m.auditLog({ action: 'login.create' })).map((e) => e.actor)).toEqual(['root', 'root']);
    },
  );
});
