import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { startDeck } from '../../../tests/support/deck.js';
import { WebDashboard } from '../src/index.js';

describe('WebDashboard.mount', () => {
  it("GIVEN a bot's own Fastify server THEN the dashboard's routes answer there and the bot's routes are left alone", async () => {
    const { manager } = await startDeck('sqlite');
    const server = Fastify();
    server.get('/bot/ping', async () => ({ pong: true }));
    const dashboard = WebDashboard.mount(server, manager);
    await dashboard.start();
    await server.ready();
    try {
      const { token } = await manager.createApiToken({
        actor: 'bot',
        adapter: 'test',
        name: 'bot',
        scope: 'read',
      });
      const list = await server.inject({
        url: '/api/services',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(list.statusCode).toBe(200);
      expect(list.json<{ id: string }[]>().map((s) => s.id)).toContain('github');
      expect(list.headers['content-security-policy']).toContain("default-src 'self'");
      const refused = await server.inject({ url: '/api/services' });
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toMatchObject({ error: { code: 'SD_ERR_UNAUTHENTICATED' } });

      // The bot's own route: no login, none of the dashboard's headers.
      const ping = await server.inject({ url: '/bot/ping' });
      expect(ping.json()).toEqual({ pong: true });
      expect(ping.headers['content-security-policy']).toBeUndefined();

      expect(Object.keys((dashboard.openApi() as { paths: object }).paths)).toContain(
        '/api/services/{id}/disable',
      );
      await expect(dashboard.listen()).rejects.toThrow("served by the bot's own server");
    } finally {
      await dashboard.close();
      await server.close();
    }
  });
});
