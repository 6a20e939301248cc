import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { startWebWithFiles } from './support/web.js';

interface ErrorJson {
  error: { code: string; category: string; message: string; hint: string | null; fields: { path: string }[] };
}

interface ReloadJson {
  serviceId: string;
  result: 'ok' | 'failed';
  applied: string;
  revision: number | null;
  previousVersion: string | null;
  version: string | null;
  stage: string | null;
  error: { code: string; message: string; reason: string } | null;
  rolledBack: boolean;
  running: boolean;
  status: string;
  message: string | null;
  dependents: { serviceId: string; action: string; result: string; message: string | null }[];
  durationMs: number;
}

/** One of the bot's own services in a module file, whose health check says which version answers. */
const echo = (version: string): string => `
export const SERVICE_METADATA = {
  id: 'echo',
  name: 'Echo',
  description: 'Says which version runs.',
  type: 'internal',
  version: '${version}',
  healthCheck: { failureThreshold: 1, successThreshold: 1, intervalMs: 60000, timeoutMs: 2000 },
};
export default class EchoService {
  healthCheck() {
    return { status: 'active', message: 'echo ${version}' };
  }
  getMetadata() {
    return SERVICE_METADATA;
  }
  enable() {}
  disable() {}
  getConfig() {
    return {};
  }
  updateConfig() {}
}
`;

/** A service of the bot that depends on echo (restarted when echo is reloaded). */
const RELAY = `
export const SERVICE_METADATA = { id: 'relay', name: 'Relay', type: 'internal', dependencies: ['echo'] };
export default class RelayService {
  healthCheck() {
    return 'active';
  }
  getMetadata() {
    return SERVICE_METADATA;
  }
  enable() {}
  disable() {}
  getConfig() {
    return {};
  }
  updateConfig() {}
}
`;

const FILES = { 'echo.service.mjs': echo('1.0.0'), 'relay.service.mjs': RELAY };

describe.each(DIALECTS)('hot reload over HTTP on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  it.skipIf(skip)(
    'GIVEN a service from a module file WHEN the file changed and it is reloaded THEN 200 with result ok, the new version, its dependent restarted, and the reload audited as the caller',
    async () => {
      const w = await startWebWithFiles(dialect, FILES);
      const auth = await w.token('manage', 'deploy');
      const before = await w.request('GET', '/api/services/echo', auth);
      expect(before.json<{ service: { version: string; source: string } }>().service).toMatchObject({
        version: '1.0.0',
        source: expect.stringMatching(/echo\.service\.mjs$/),
      });

      await w.write('echo.service.mjs', echo('1.1.0'));
      const reloaded = await w.request('POST', '/api/services/echo/reload', auth, {});
      expect(reloaded.statusCode).toBe(200);
      const body = reloaded.json<ReloadJson>();
      expect(body).toMatchObject({
        serviceId: 'echo',
        result: 'ok',
        applied: 'here',
        revision: expect.any(Number),
        previousVersion: '1.0.0',
        version: '1.1.0',
        stage: null,
        error: null,
        rolledBack: false,
        running: true,
        status: 'active',
        dependents: [{ serviceId: 'relay', action: 'restarted', result: 'ok', message: null }],
      });
      expect(body.durationMs).toBeGreaterThanOrEqual(0);

      // The new code answers.
      const check = await w.request('POST', '/api/services/echo/health', auth);
      expect(check.json()).toMatchObject({ status: 'active', message: 'echo 1.1.0' });
      const after = await w.request('GET', '/api/services/echo', auth);
      expect(after.json<{ service: { version: string } }>().service.version).toBe('1.1.0');
      expect((await w.manager.auditLog({ action: 'reload', serviceId: 'echo' }))[0]).toMatchObject({
        actor: 'token:deploy',
        adapter: 'web',
        origin: '127.0.0.1',
        result: 'ok',
        details: expect.objectContaining({ previousVersion: '1.0.0', version: '1.1.0' }),
      });
    },
  );

  it.skipIf(skip)(
    'GIVEN a syntax error in the file THEN 200 with result failed at stage load, the reason and what to do, and the previous version keeps serving',
    async () => {
      const w = await startWebWithFiles(dialect, FILES);
      const auth = await w.token('manage');
      await w.write('echo.service.mjs', `${echo('2.0.0')}\nexport const broken = {;\n`);
      const failed = await w.request('POST', '/api/services/echo/reload', auth, {});
      expect(failed.statusCode).toBe(200);
      const body = failed.json<ReloadJson>();
      expect(body).toMatchObject({
        serviceId: 'echo',
        result: 'failed',
        revision: null,
        previousVersion: '1.0.0',
        version: '1.0.0',
        stage: 'load',
        rolledBack: false,
        running: true,
        dependents: [],
      });
      const error = body.error as NonNullable<ReloadJson['error']>;
      expect(error.code).toBe('SD_ERR_RELOAD_FAILED');
      // (Under vitest the import goes through Vite, which words the syntax error its own way.)
      expect(error.reason).toMatch(/^Reload of "echo" failed while loading its code: /);
      expect(error.reason).toContain('the previous version keeps running');
      expect(error.message).toBe(
        `${error.reason} Fix the error in its code (or its settings) and reload it again.`,
      );

      const check = await w.request('POST', '/api/services/echo/health', auth);
      expect(check.json()).toMatchObject({ status: 'active', message: 'echo 1.0.0' });
      expect(w.manager.getServiceInfo('echo')).toMatchObject({ version: '1.0.0', running: true });
      expect((await w.manager.auditLog({ action: 'reload' }))[0]).toMatchObject({
        result: 'failed',
        details: expect.objectContaining({ stage: 'load' }),
      });

      // Fixed: the next reload goes through.
      await w.write('echo.service.mjs', echo('2.0.1'));
      const fixed = await w.request('POST', '/api/services/echo/reload', auth, {});
      expect(fixed.json<ReloadJson>()).toMatchObject({ result: 'ok', version: '2.0.1' });
    },
  );

  it.skipIf(skip)(
    'GIVEN refusals THEN a read token is 403 and audited, an unknown id 404, the built-in process and a service registered in code 409, an unknown field 400',
    async () => {
      const w = await startWebWithFiles(dialect, FILES);
      const reader = await w.token('read', 'grafana');
      const refused = await w.request('POST', '/api/services/echo/reload', reader, {});
      expect(refused.statusCode).toBe(403);
      expect(refused.json<ErrorJson>().error.code).toBe('SD_ERR_FORBIDDEN');
      expect((await w.manager.auditLog({ result: 'denied' }))[0]).toMatchObject({
        action: 'reload',
        actor: 'token:grafana',
        adapter: 'web',
        serviceId: 'echo',
        origin: '127.0.0.1',
      });
      expect(await w.manager.auditLog({ action: 'reload', result: 'ok' })).toEqual([]);

      const auth = await w.token('manage');
      const unknown = await w.request('POST', '/api/services/nope/reload', auth, {});
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json<ErrorJson>().error.code).toBe('SD_ERR_SERVICE_NOT_FOUND');

      const builtIn = await w.request('POST', '/api/services/process/reload', auth, {});
      expect(builtIn.statusCode).toBe(409);
      expect(builtIn.json<ErrorJson>().error).toMatchObject({
        code: 'SD_ERR_RELOAD_UNSUPPORTED',
        category: 'conflict',
        message: expect.stringContaining('@servicedeck/core (built in)'),
        hint: expect.stringContaining('Restart the bot'),
      });
      const registered = await w.request('POST', '/api/services/github/reload', auth, {});
      expect(registered.statusCode).toBe(409);
      expect(registered.json<ErrorJson>().error.message).toContain('registerService()');

      const invalid = await w.request('POST', '/api/services/echo/reload', auth, { force: true });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json<ErrorJson>().error.fields.map((f) => f.path)).toEqual(['/body/force']);
      expect(await w.manager.auditLog({ action: 'reload', result: 'ok' })).toEqual([]);
    },
  );

  it.skipIf(skip)(
    'GIVEN a browser session THEN a reload needs its CSRF token, and reloads count against the changes limit',
    async () => {
      const w = await startWebWithFiles(dialect, FILES, { rateLimits: { manage: 2 } });
      const session = await w.session();
      const noCsrf = await w.request('POST', '/api/services/echo/reload', { cookie: session.cookie }, {});
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json<ErrorJson>().error.code).toBe('SD_ERR_CSRF');
      expect(await w.manager.auditLog({ action: 'reload' })).toEqual([]);
      const done = await w.request('POST', '/api/services/echo/reload', session, {});
      expect(done.statusCode).toBe(200);
      expect((await w.manager.auditLog({ action: 'reload' }))[0]).toMatchObject({
        actor: 'owner',
        adapter: 'web',
        result: 'ok',
      });
      expect((await w.request('POST', '/api/services/echo/reload', session, {})).statusCode).toBe(200);
      const limited = await w.request('POST', '/api/services/echo/reload', session, {});
      expect(limited.statusCode).toBe(429);
      expect(limited.json<ErrorJson>().error.message).toBe('Too many changes in a minute.');
    },
  );

  it.skipIf(skip)(
    'GIVEN the change feed running THEN a reload reaches the live stream as a change of kind reload with the service, and the metrics count reloads by result',
    async () => {
      const w = await startWebWithFiles(dialect, FILES, {}, { sync: true });
      const auth = await w.token('manage');
      const from = w.web.journal.lastId();
      await w.write('echo.service.mjs', echo('3.0.0'));
      expect((await w.request('POST', '/api/services/echo/reload', auth, {})).json<ReloadJson>().result).toBe(
        'ok',
      );
      await expect
        .poll(
          () =>
            (w.web.journal.since(from) ?? []).find((e) => e.type === 'change' && e.data.kind === 'reload')
              ?.data,
          { timeout: 5_000 },
        )
        .toMatchObject({
          kind: 'reload',
          serviceId: 'echo',
          enabled: true,
          service: { id: 'echo', version: '3.0.0', status: 'active', running: true },
        });

      await w.write('echo.service.mjs', 'export default class {');
      expect((await w.request('POST', '/api/services/echo/reload', auth, {})).json<ReloadJson>().result).toBe(
        'failed',
      );
      await expect
        .poll(async () => (await w.request('GET', '/metrics', auth)).body, { timeout: 6_000 })
        .toContain('servicedeck_reloads_total{service="echo",result="failed"} 1');
      const metrics = (await w.request('GET', '/metrics', auth)).body;
      expect(metrics).toContain('# TYPE servicedeck_reloads_total counter');
      expect(metrics).toContain('servicedeck_reloads_total{service="echo",result="ok"} 1');
    },
  );
});
