import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BoundedFetch } from '../src/index.js';
import { activeResources, sendJson, startServer, type TestServer, waitFor } from '../src/testing.js';

const servers: TestServer[] = [];
const fetches: BoundedFetch[] = [];

afterEach(async () => {
  for (const bounded of fetches.splice(0)) await bounded.close();
  for (const server of servers.splice(0)) await server.close();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const started = await startServer(handler);
  servers.push(started);
  return started;
}

function bounded(timeoutMs = 5_000): BoundedFetch {
  const made = new BoundedFetch(timeoutMs, 'Supabase client');
  fetches.push(made);
  return made;
}

describe('BoundedFetch', () => {
  it("GIVEN a request with headers and a JSON body THEN the server receives them and the response reads like fetch's", async () => {
    const api = await server((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => sendJson(res, 201, { method: req.method, body, key: req.headers.apikey ?? null }));
    });
    const { fetch } = bounded();
    const response = await fetch(`${api.url}/rest/v1/reminders`, {
      method: 'POST',
      headers: new Headers({ apikey: 'k', 'content-type': 'application/json' }),
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ method: 'POST', body: '{"text":"hi"}', key: 'k' });
  });

  it('GIVEN a kept-alive connection the server dropped THEN a GET is sent again and a POST is not', async () => {
    const answered = new WeakSet<Socket>();
    const api = await server((req, res) => {
      if (answered.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      answered.add(req.socket);
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive' });
      res.end('ok');
    });
    const { fetch } = bounded();
    expect(await (await fetch(`${api.url}/a`)).text()).toBe('ok');
    expect(await (await fetch(`${api.url}/b`)).text()).toBe('ok');
    expect(api.requests.map((r) => r.url)).toEqual(['/a', '/b', '/b']);
    await expect(fetch(`${api.url}/c`, { method: 'POST', body: '{}' })).rejects.toMatchObject({
      name: 'HttpEndpointError',
      kind: 'connection-reset',
    });
  });

  it('GIVEN a server slower than the timeout THEN fetch rejects with the timeout in words', async () => {
    const api = await server(() => undefined);
    const { fetch } = bounded(200);
    await expect(fetch(`${api.url}/slow`)).rejects.toMatchObject({
      name: 'HttpEndpointError',
      kind: 'timeout',
      message: 'no response within 200 ms',
    });
  });

  it("GIVEN the caller aborts THEN fetch rejects with the caller's reason, as fetch does", async () => {
    const api = await server(() => undefined);
    const { fetch } = bounded();
    const controller = new AbortController();
    const pending = fetch(`${api.url}/hang`, { signal: controller.signal });
    await waitFor(() => api.requests.length === 1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('GIVEN close THEN requests in flight end as AbortError, later ones are refused, and no socket or timer is left', async () => {
    const api = await server(() => undefined);
    const sockets = activeResources('TCPSocketWrap');
    const timers = activeResources('Timeout');
    const made = bounded(30_000);
    const pending = Promise.allSettled([made.fetch(`${api.url}/a`), made.fetch(`${api.url}/b`)]);
    await waitFor(() => api.requests.length === 2);
    expect(made.inFlightCount).toBe(2);
    await made.close();
    for (const outcome of await pending) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { name: 'AbortError', message: 'request aborted: the Supabase client was closed' },
      });
    }
    await expect(made.fetch(`${api.url}/c`)).rejects.toMatchObject({
      name: 'AbortError',
      message: 'request refused: the Supabase client is closed',
    });
    expect(made.isClosed).toBe(true);
    await waitFor(() => api.openConnections() === 0);
    expect(activeResources('TCPSocketWrap')).toBeLessThanOrEqual(sockets);
    expect(activeResources('Timeout')).toBeLessThanOrEqual(timers);
  });
});
