import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { startWeb } from './support/web.js';

interface ErrorJson {
  error: {
    code: string;
    category: string;
    message: string;
    hint: string | null;
    details: Record<string, unknown>;
    fields: { path: string; message: string }[];
  };
}

describe.each(DIALECTS)('HTTP API on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  describe('reading', () => {
    it.skipIf(skip)(
      'GIVEN a read token THEN services are listed with filters, and an unchanged list answers 304 to its ETag',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('read');
        const all = await w.request('GET', '/api/services', auth);
        expect(all.statusCode).toBe(200);
        const services =
          all.json<{ id: string; status: string; tags: string[]; latencyMs: number | null }[]>();
        expect(services.map((s) => s.id).sort()).toEqual(['database', 'digest', 'github', 'reminders']);
        expect(services.find((s) => s.id === 'database')).toMatchObject({
          name: 'Database',
          type: 'internal',
          version: '1.0.0',
          tags: ['storage'],
          enabled: true,
          running: true,
        });
        const external = await w.request('GET', '/api/services?type=external', auth);
        expect(external.json<{ id: string }[]>().map((s) => s.id)).toEqual(['github']);
        const search = await w.request('GET', '/api/services?q=REMIND', auth);
        expect(search.json<{ id: string }[]>().map((s) => s.id)).toEqual(['reminders']);
        const tagged = await w.request('GET', '/api/services?tag=storage&enabled=true', auth);
        expect(tagged.json<{ id: string }[]>().map((s) => s.id)).toEqual(['database']);

        const etag = all.headers.etag as string;
        expect(
          (await w.request('GET', '/api/services', auth, undefined, { 'if-none-match': etag })).statusCode,
        ).toBe(304);
        // A status change makes the cached list stale.
        (w.services.database as { healthy: boolean }).healthy = false;
        await w.manager.checkHealth('database', { fresh: true });
        const after = await w.request('GET', '/api/services', auth, undefined, { 'if-none-match': etag });
        expect(after.statusCode).toBe(200);
        expect(after.json<{ id: string; status: string }[]>().find((s) => s.id === 'database')?.status).toBe(
          'error',
        );
      },
    );

    it.skipIf(skip)(
      'GIVEN a service THEN its detail has dependencies, dependents, uptime and the last check; an unknown one is 404 with the core code',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('read');
        await w.manager.checkHealth('reminders', { fresh: true });
        const detail = await w.request('GET', '/api/services/reminders', auth);
        expect(detail.statusCode).toBe(200);
        const body = detail.json<{
          service: { id: string };
          dependencies: { id: string }[];
          dependents: { id: string }[];
          uptime: { windowHours: number; checks: number; ratio: number };
          lastCheck: { status: string; checkedAt: string };
        }>();
        expect(body.service.id).toBe('reminders');
        expect(body.dependencies.map((s) => s.id)).toEqual(['database']);
        expect(body.dependents.map((s) => s.id)).toEqual(['digest']);
        expect(body.uptime).toMatchObject({ windowHours: 24, checks: 1, ratio: 1 });
        expect(body.lastCheck).toMatchObject({ status: 'active', checkedAt: expect.stringMatching(/Z$/) });
        // Its status as each process last checked it: here, this one.
        expect(detail.json<{ instances: unknown[] }>().instances).toEqual([
          expect.objectContaining({
            self: true,
            state: 'running',
            status: 'active',
            checkedAt: expect.stringMatching(/Z$/),
          }),
        ]);

        const missing = await w.request('GET', '/api/services/nope', auth);
        expect(missing.statusCode).toBe(404);
        expect(missing.json<ErrorJson>().error).toMatchObject({
          code: 'SD_ERR_SERVICE_NOT_FOUND',
          category: 'not-found',
          message: 'No service "nope" in the catalog.',
          hint: expect.stringContaining('Known services: '),
        });
      },
    );

    it.skipIf(skip)(
      'GIVEN checks THEN one runs on demand, the history lists them newest first, and uptime covers a chosen window',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('read');
        const now = await w.request('POST', '/api/services/github/health', auth);
        expect(now.statusCode).toBe(200);
        expect(now.json()).toMatchObject({ serviceId: 'github', status: 'active', message: 'ok' });
        (w.services.github as { healthy: boolean; message: string }).healthy = false;
        (w.services.github as { message: string }).message = 'rate limited';
        await w.request('POST', '/api/services/github/health', auth);
        const history = await w.request('GET', '/api/services/github/health?limit=5', auth);
        expect(
          history.json<{ status: string; message: string }[]>().map((r) => [r.status, r.message]),
        ).toEqual([
          ['error', 'check failed: rate limited'],
          ['active', 'ok'],
        ]);
        const uptime = await w.request('GET', '/api/services/github/uptime?windowHours=1', auth);
        expect(uptime.json()).toEqual({ windowHours: 1, checks: 2, active: 1, ratio: 0.5 });
      },
    );

    it.skipIf(skip)('GIVEN the processes THEN this one is listed as itself', async () => {
      const w = await startWeb(dialect);
      const instances = await w.request('GET', '/api/instances', await w.token('read'));
      expect(instances.statusCode).toBe(200);
      expect(instances.json<{ self: boolean; state: string; pid: number }[]>()).toContainEqual(
        expect.objectContaining({ self: true, state: 'running', pid: process.pid }),
      );
    });
  });

  describe('who may do what', () => {
    it.skipIf(skip)(
      'GIVEN no credentials, a bad token or a revoked one THEN 401 says how to authenticate',
      async () => {
        const w = await startWeb(dialect);
        const none = await w.request('GET', '/api/services');
        expect(none.statusCode).toBe(401);
        expect(none.json<ErrorJson>().error).toMatchObject({
          code: 'SD_ERR_UNAUTHENTICATED',
          category: 'not-allowed',
          details: { discordLogin: false },
          hint: expect.stringContaining('Authorization: Bearer sdk_'),
        });
        const bad = await w.request('GET', '/api/services', { token: 'sdk_nope' });
        expect(bad.statusCode).toBe(401);
        const { token } = await w.token('read');
        const [info] = await w.manager.listApiTokens();
        await w.manager.revokeApiToken(info?.id ?? 0, { actor: 'setup', adapter: 'test' });
        expect((await w.request('GET', '/api/services', { token })).statusCode).toBe(401);
      },
    );

    it.skipIf(skip)(
      'GIVEN a read token WHEN it tries to manage THEN 403, nothing changes, and the refusal is audited with the token and origin',
      async () => {
        const w = await startWeb(dialect);
        const reader = await w.token('read', 'grafana');
        const refused = await w.request('POST', '/api/services/github/disable', reader, {});
        expect(refused.statusCode).toBe(403);
        expect(refused.json<ErrorJson>().error.code).toBe('SD_ERR_FORBIDDEN');
        expect(w.manager.isEnabled('github')).toBe(true);
        expect((await w.request('GET', '/api/services/github/config', reader)).statusCode).toBe(403);
        const denied = await w.manager.auditLog({ result: 'denied' });
        expect(denied.map((e) => [e.action, e.actor, e.adapter, e.serviceId])).toEqual([
          ['config.view', 'token:grafana', 'web', 'github'],
          ['disable', 'token:grafana', 'web', 'github'],
        ]);
        expect(denied[0]?.origin).toBe('127.0.0.1');
      },
    );

    it.skipIf(skip)(
      'GIVEN a browser session THEN changes need its CSRF token and the same origin; the login token works once',
      async () => {
        const w = await startWeb(dialect);
        const loginToken = await w.web.issueLoginToken();
        const login = await w.request('POST', '/api/session', undefined, { loginToken });
        expect(login.statusCode).toBe(200);
        const cookie = login.cookies.find((c) => c.name === 'servicedeck_session');
        expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
        expect(login.json()).toMatchObject({ actor: 'owner', level: 'manage', via: 'session' });
        const again = await w.request('POST', '/api/session', undefined, { loginToken });
        expect(again.statusCode).toBe(401);
        expect(again.json<ErrorJson>().error.message).toContain('used already');

        const session = { cookie: cookie?.value as string };
        const me = await w.request('GET', '/api/session', session);
        const csrf = me.json<{ csrfToken: string }>().csrfToken;
        expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
        const noCsrf = await w.request('POST', '/api/services/github/disable', session, {});
        expect(noCsrf.statusCode).toBe(403);
        expect(noCsrf.json<ErrorJson>().error).toMatchObject({
          code: 'SD_ERR_CSRF',
          hint: 'Send the csrfToken of GET /api/session in the x-csrf-token header.',
        });
        const foreign = await w.request(
          'POST',
          '/api/services/github/disable',
          { ...session, csrf, origin: 'https://evil.example' },
          {},
        );
        expect(foreign.statusCode).toBe(403);
        expect(foreign.json<ErrorJson>().error.message).toBe(
          'Requests from https://evil.example may not change anything here.',
        );
        expect(w.manager.isEnabled('github')).toBe(true);
        const done = await w.request('POST', '/api/services/github/disable', { ...session, csrf }, {});
        expect(done.statusCode).toBe(200);
        // The dashboard's own origin is accepted.
        const sameOrigin = await w.request(
          'POST',
          '/api/services/github/enable',
          { ...session, csrf, origin: 'http://127.0.0.1:4600' },
          {},
          { host: '127.0.0.1:4600' },
        );
        expect(sameOrigin.statusCode).toBe(200);
        await w.request('POST', '/api/services/github/disable', { ...session, csrf }, {});
        expect(w.manager.isEnabled('github')).toBe(false);
        expect((await w.manager.auditLog({ action: 'disable' }))[0]).toMatchObject({
          actor: 'owner',
          adapter: 'web',
          result: 'ok',
        });

        const logout = await w.request('DELETE', '/api/session', { ...session, csrf });
        expect(logout.statusCode).toBe(204);
        expect((await w.request('GET', '/api/session', session)).statusCode).toBe(401);
      },
    );

    it.skipIf(skip)(
      'GIVEN a reverse proxy serving the dashboard at its public URL THEN changes from that origin are accepted',
      async () => {
        const w = await startWeb(dialect, { publicUrl: 'https://deck.example.org' });
        const session = await w.session();
        const behindProxy = await w.request(
          'POST',
          '/api/services/github/disable',
          { ...session, origin: 'https://deck.example.org' },
          {},
          { host: '127.0.0.1:4600' },
        );
        expect(behindProxy.statusCode).toBe(200);
        const elsewhere = await w.request(
          'POST',
          '/api/services/github/enable',
          { ...session, origin: 'https://deck.example.org.evil.example' },
          {},
          { host: '127.0.0.1:4600' },
        );
        expect(elsewhere.statusCode).toBe(403);
      },
    );

    it.skipIf(skip)(
      'GIVEN the printed login link THEN it opens a session and redirects to the dashboard',
      async () => {
        const w = await startWeb(dialect);
        const response = await w.request('GET', `/login?token=${await w.web.issueLoginToken()}`);
        expect(response.statusCode).toBe(303);
        expect(response.headers.location).toBe('/');
        expect(response.cookies.map((c) => c.name)).toEqual(['servicedeck_session']);
        expect((await w.request('GET', '/login?token=forged')).statusCode).toBe(401);
      },
    );

    it.skipIf(skip)('GIVEN sessions of a user whose access was removed THEN they end at once', async () => {
      const w = await startWeb(dialect);
      const session = await w.session();
      expect((await w.request('GET', '/api/services', session)).statusCode).toBe(200);
      expect(w.web.endSessionsOf('owner')).toBe(1);
      expect((await w.request('GET', '/api/services', session)).statusCode).toBe(401);
    });

    it.skipIf(skip)('GIVEN too many changes in a minute THEN 429 with Retry-After', async () => {
      const w = await startWeb(dialect, { rateLimits: { manage: 2 } });
      const auth = await w.token('manage');
      expect(
        (await w.request('POST', '/api/services/github/disable', auth, { dryRun: true })).statusCode,
      ).toBe(200);
      expect(
        (await w.request('POST', '/api/services/github/disable', auth, { dryRun: true })).statusCode,
      ).toBe(200);
      const limited = await w.request('POST', '/api/services/github/disable', auth, { dryRun: true });
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.json<ErrorJson>().error).toMatchObject({
        code: 'SD_ERR_RATE_LIMITED',
        message: 'Too many changes in a minute.',
      });
      // Reading is not limited by the changes bucket.
      expect((await w.request('GET', '/api/services', auth)).statusCode).toBe(200);
    });

    it.skipIf(skip)('GIVEN any response THEN it carries the security headers', async () => {
      const w = await startWeb(dialect);
      for (const response of [
        await w.request('GET', '/api/services', await w.token('read')),
        await w.request('GET', '/api/services'),
        await w.request('GET', '/nowhere'),
      ]) {
        expect(response.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'content-security-policy': expect.stringContaining("default-src 'self'"),
        });
      }
    });
  });

  describe('managing', () => {
    it.skipIf(skip)(
      'GIVEN a disable with enabled dependents THEN 409 lists them with the flag to use; a dry run shows the cascade plan; then it is applied and audited',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('manage', 'deploy');
        const refused = await w.request('POST', '/api/services/database/disable', auth, {});
        expect(refused.statusCode).toBe(409);
        expect(refused.json<ErrorJson>().error).toMatchObject({
          code: 'SD_ERR_DEPENDENTS_ENABLED',
          category: 'conflict',
          message: 'Cannot disable "database": "digest", "reminders" depend on it and are enabled.',
          hint: 'Disable them first, or send cascade: true to disable them too.',
        });
        const plan = await w.request('POST', '/api/services/database/disable', auth, {
          cascade: true,
          dryRun: true,
        });
        expect(plan.json()).toEqual({
          plan: {
            action: 'disable',
            target: 'database',
            steps: [
              { serviceId: 'digest', action: 'disable' },
              { serviceId: 'reminders', action: 'disable' },
              { serviceId: 'database', action: 'disable' },
            ],
          },
          dryRun: true,
          outcomes: [],
          applied: 'here',
        });
        expect(w.manager.isEnabled('database')).toBe(true);
        const done = await w.request('POST', '/api/services/database/disable', auth, { cascade: true });
        expect(
          done.json<{ outcomes: { serviceId: string; result: string }[] }>().outcomes.map((o) => o.result),
        ).toEqual(['ok', 'ok', 'ok']);
        expect(w.manager.isEnabled('reminders')).toBe(false);
        expect((await w.manager.auditLog({ action: 'disable', serviceId: 'database' }))[0]).toMatchObject({
          actor: 'token:deploy',
          adapter: 'web',
          origin: '127.0.0.1',
          result: 'ok',
        });
        const enable = await w.request('POST', '/api/services/digest/enable', auth, {
          withDependencies: true,
        });
        expect(enable.statusCode).toBe(200);
        expect(w.manager.isEnabled('database')).toBe(true);
      },
    );

    it.skipIf(skip)(
      'GIVEN settings THEN secrets are never returned, invalid ones are 400 with field paths, a stale version is 409, and history and rollback work',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('manage');
        const set = await w.request('PATCH', '/api/services/github/config', auth, {
          values: { token: 'ghp_secret', org: 'acme' },
          expectedVersion: 0,
        });
        expect(set.statusCode).toBe(200);
        expect(set.json()).toMatchObject({ serviceId: 'github', version: 1 });
        expect(set.body).not.toContain('ghp_secret');
        const view = await w.request('GET', '/api/services/github/config', auth);
        expect(view.body).not.toContain('ghp_secret');
        expect(view.json()).toMatchObject({
          version: 1,
          values: { org: 'acme', retries: 3 },
          schema: { properties: { token: { writeOnly: true } } },
        });

        const invalid = await w.request('PATCH', '/api/services/github/config', auth, {
          values: { retries: 99, org: 5 },
        });
        expect(invalid.statusCode).toBe(400);
        const error = invalid.json<ErrorJson>().error;
        expect(error.code).toBe('SD_ERR_CONFIG_INVALID');
        expect(error.fields.map((f) => f.path).sort()).toEqual(['/values/org', '/values/retries']);
        const stale = await w.request('PATCH', '/api/services/github/config', auth, {
          values: { org: 'other' },
          expectedVersion: 0,
        });
        expect(stale.statusCode).toBe(409);
        expect(stale.json<ErrorJson>().error.code).toBe('SD_ERR_CONFIG_CONFLICT');

        await w.request('PATCH', '/api/services/github/config', auth, { values: { org: 'second' } });
        const history = await w.request('GET', '/api/services/github/config/history', auth);
        expect(history.body).not.toContain('ghp_secret');
        expect(
          history
            .json<{ version: number; changes: { key: string }[] }[]>()
            .map((v) => [v.version, v.changes.map((c) => c.key)]),
        ).toEqual([
          [2, ['org']],
          [1, ['org', 'token']],
        ]);
        const rolled = await w.request('POST', '/api/services/github/config/rollback', auth, { version: 1 });
        expect(rolled.statusCode).toBe(200);
        expect((await w.manager.getConfig('github')).values.org).toBe('acme');
        const gone = await w.request('POST', '/api/services/github/config/rollback', auth, { version: 42 });
        expect(gone.statusCode).toBe(404);
        expect(gone.json<ErrorJson>().error.code).toBe('SD_ERR_CONFIG_VERSION_NOT_FOUND');
      },
    );

    it.skipIf(skip)(
      'GIVEN a malformed request THEN 400 names every field and what is wrong with it; nothing runs',
      async () => {
        const w = await startWeb(dialect);
        const auth = await w.token('manage');
        const unknown = await w.request('POST', '/api/services/github/disable', auth, {
          casade: true,
          dryRun: 'no',
        });
        expect(unknown.statusCode).toBe(400);
        expect(unknown.json<ErrorJson>().error).toMatchObject({
          code: 'SD_ERR_REQUEST_INVALID',
          category: 'input',
          fields: expect.arrayContaining([
            { path: '/body/casade', message: 'casade is not a known field' },
            { path: '/body/dryRun', message: 'must be boolean' },
          ]),
        });
        const badId = await w.request('GET', '/api/services/Not_An_Id', auth);
        expect(badId.statusCode).toBe(400);
        expect(badId.json<ErrorJson>().error.fields[0]?.path).toBe('/params/id');
        const badQuery = await w.request('GET', '/api/services?status=sleepy', auth);
        expect(badQuery.json<ErrorJson>().error.fields[0]?.path).toBe('/querystring/status');
        const notJson = await w.request('PATCH', '/api/services/github/config', auth, 'nope', {
          'content-type': 'application/json',
        });
        expect(notJson.statusCode).toBe(400);
        expect(notJson.json<ErrorJson>().error.code).toBe('SD_ERR_REQUEST_INVALID');
        expect(w.manager.isEnabled('github')).toBe(true);
      },
    );

    it.skipIf(skip)(
      'GIVEN a manager session THEN API tokens are created (shown once), listed with last use, and revoked',
      async () => {
        const w = await startWeb(dialect);
        const session = await w.session();
        const created = await w.request('POST', '/api/tokens', session, { name: 'ci', scope: 'read' });
        expect(created.statusCode).toBe(201);
        const { token, info } = created.json<{
          token: string;
          info: { id: number; lastUsedAt: string | null };
        }>();
        expect(token).toMatch(/^sdk_/);
        expect(info.lastUsedAt).toBeNull();
        expect((await w.request('GET', '/api/services', { token })).statusCode).toBe(200);
        const listed = await w.request('GET', '/api/tokens', session);
        expect(listed.body).not.toContain(token);
        expect(listed.json<{ name: string; lastUsedAt: string | null }[]>()[0]).toMatchObject({
          name: 'ci',
          lastUsedAt: expect.stringMatching(/Z$/),
        });
        const revoked = await w.request('DELETE', `/api/tokens/${info.id}`, session);
        expect(revoked.statusCode).toBe(200);
        expect((await w.request('GET', '/api/services', { token })).statusCode).toBe(401);
        expect((await w.request('DELETE', '/api/tokens/999', session)).statusCode).toBe(404);
        const audit = await w.request('GET', '/api/audit?action=token.create', session);
        expect(audit.json<{ actor: string; details: { name: string } }[]>()[0]).toMatchObject({
          actor: 'owner',
          details: { name: 'ci' },
        });
      },
    );

    it.skipIf(skip)('GIVEN audit entries THEN they are filtered by service, result and id', async () => {
      const w = await startWeb(dialect);
      const auth = await w.token('manage');
      await w.request('POST', '/api/services/github/disable', auth, {});
      await w.request('POST', '/api/services/github/enable', auth, {});
      const entries = await w.request('GET', '/api/audit?serviceId=github&result=ok&limit=10', auth);
      const list = entries.json<{ id: number; action: string }[]>();
      expect(list.map((e) => e.action)).toEqual(['enable', 'disable']);
      const after = await w.request('GET', `/api/audit?afterId=${list[1]?.id}`, auth);
      expect(after.json<{ action: string }[]>().map((e) => e.action)).toEqual(['enable']);
    });
  });
});

describe('the API document and routing', () => {
  it('GIVEN the OpenAPI document THEN it is 3.1, lists every route with its access, and every reference resolves', async () => {
    const w = await startWeb('sqlite');
    const response = await w.request('GET', '/api/openapi.json');
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; 'x-servicedeck-access': string }>
      >;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/services',
        '/api/services/{id}',
        '/api/services/{id}/enable',
        '/api/services/{id}/disable',
        '/api/services/{id}/reload',
        '/api/services/{id}/health',
        '/api/services/{id}/uptime',
        '/api/services/{id}/config',
        '/api/services/{id}/config/history',
        '/api/services/{id}/config/rollback',
        '/api/audit',
        '/api/instances',
        '/api/tokens',
        '/api/tokens/{tokenId}',
        '/api/session',
        '/api/events',
        '/metrics',
      ]),
    );
    expect(doc.paths['/api/services/{id}/disable']?.post?.['x-servicedeck-access']).toBe('manage');
    expect(doc.paths['/api/services/{id}/reload']?.post?.['x-servicedeck-access']).toBe('manage');
    expect(doc.paths['/api/services']?.get?.['x-servicedeck-access']).toBe('read');
    const refs = JSON.stringify(doc).match(/"\$ref":"([^"]+)"/g) ?? [];
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of new Set(refs)) expect(ref).toBe('"$ref":"#/components/schemas/Error"');
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('GIVEN an unknown route THEN 404 with the error body', async () => {
    const w = await startWeb('sqlite');
    const response = await w.request('GET', '/api/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorJson>().error).toMatchObject({
      code: 'SD_ERR_ROUTE_NOT_FOUND',
      message: 'No route GET /api/nothing.',
    });
  });

  it('GIVEN no Discord login configured THEN listening on a public interface is refused', async () => {
    const w = await startWeb('sqlite', { host: '0.0.0.0', port: 0 });
    await expect(w.web.listen()).rejects.toThrow(
      'The dashboard may listen on 0.0.0.0 only with Discord login (OAuth) configured.',
    );
  });
});
