import { afterEach, describe, expect, it } from 'vitest';
import { describeNetworkError, HttpClient, HttpEndpointError } from '../src/index.js';
import {
  activeResources,
  closedPort,
  sendJson,
  startServer,
  type TestServer,
  waitFor,
} from '../src/testing.js';

const servers: TestServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of servers.splice(0)) await server.close();
});

async function api(): Promise<TestServer> {
  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/v1/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        sendJson(res, 200, {
          method: req.method,
          query: Object.fromEntries(url.searchParams),
          contentType: req.headers['content-type'] ?? null,
          authorization: req.headers.authorization ?? null,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      return;
    }
    if (url.pathname === '/v1/html') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad gateway</body></html>');
      return;
    }
    if (url.pathname === '/v1/hang') return;
    sendJson(res, 404, { message: 'Not Found' }, { 'x-request-id': 'abc' });
  });
  servers.push(server);
  return server;
}

function client(baseUrl: string, timeoutMs = 2_000): HttpClient {
  const created = new HttpClient({ baseUrl, headers: { Authorization: 'Bearer t0k3n' }, timeoutMs });
  clients.push(created);
  return created;
}

describe('HttpClient', () => {
  it('GIVEN a JSON body and query THEN the request carries them under the base path with the default headers', async () => {
    const server = await api();
    const response = await client(`${server.url}/v1`).request('echo', {
      method: 'post',
      query: { page: 2, draft: false, skip: undefined },
      body: { name: 'x' },
    });
    expect(response.status).toBe(200);
    expect(response.json()).toEqual({
      method: 'POST',
      query: { page: '2', draft: 'false' },
      contentType: 'application/json',
      authorization: 'Bearer t0k3n',
      body: '{"name":"x"}',
    });
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('GIVEN any status THEN it resolves with the status, the headers and the body', async () => {
    const server = await api();
    const response = await client(server.url).request('/missing');
    expect(response.status).toBe(404);
    expect(response.statusText).toBe('Not Found');
    expect(response.headers.get('x-request-id')).toBe('abc');
    expect(response.json()).toEqual({ message: 'Not Found' });
  });

  it('GIVEN a body that is not JSON THEN json() says so and quotes its start', async () => {
    const server = await api();
    const response = await client(server.url).request('/v1/html');
    expect(() => response.json()).toThrowError(
      `127.0.0.1:${server.port} answered 502 with a body that is not JSON: "<html><body>Bad gateway</body></html>"`,
    );
  });

  it('GIVEN a path to another origin THEN it is refused so the default headers never leave the API', async () => {
    const server = await api();
    await expect(client(server.url).request('https://elsewhere.example/x')).rejects.toThrowError(TypeError);
    await expect(client(server.url).request('//elsewhere.example/x')).rejects.toThrowError(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it('GIVEN a closed port THEN the request fails with "connection refused by host:port"', async () => {
    const port = await closedPort();
    const failure = client(`http://127.0.0.1:${port}`).request('/');
    await expect(failure).rejects.toThrowError(`connection refused by 127.0.0.1:${port}`);
    await expect(failure).rejects.toMatchObject({ kind: 'connection-refused', code: 'ECONNREFUSED' });
  });

  it('GIVEN a server that never answers THEN the request fails after the timeout in words', async () => {
    const server = await api();
    await expect(client(server.url, 150).request('/v1/hang')).rejects.toThrowError(
      'no response within 150 ms',
    );
  });

  it('GIVEN close() while requests hang THEN they reject as aborted, later requests are refused and no socket is left', async () => {
    const server = await api();
    const sockets = activeResources('TCPSocketWrap');
    const api1 = client(server.url, 30_000);
    const hanging = api1.request('/v1/hang');
    await waitFor(() => server.requests.length === 1);
    expect(api1.inFlightCount).toBe(1);
    await api1.close('request aborted: the service was disabled');
    await expect(hanging).rejects.toThrowError('request aborted: the service was disabled');
    await expect(api1.request('/v1/echo')).rejects.toThrowError('request refused: the client is closed');
    expect(api1.isClosed).toBe(true);
    await waitFor(() => activeResources('TCPSocketWrap') <= sockets);
  });

  it('GIVEN a base URL that is not http(s) THEN the constructor says so', () => {
    expect(() => new HttpClient({ baseUrl: 'ftp://files.example' })).toThrowError(
      'ftp://files.example/ is not an http:// or https:// URL.',
    );
  });
});

describe('describeNetworkError', () => {
  it('GIVEN an error whose cause carries the code THEN it is found through the cause chain', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), {
      code: 'ECONNREFUSED',
      address: '10.0.0.5',
      port: 6379,
    });
    const failure = describeNetworkError(new TypeError('fetch failed', { cause }), 'cache:6379');
    expect(failure).toEqual({
      kind: 'connection-refused',
      message: 'connection refused by 10.0.0.5:6379',
      code: 'ECONNREFUSED',
    });
  });

  it('GIVEN an AggregateError of connection attempts THEN the first coded one is described', () => {
    const inner = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const failure = describeNetworkError(new AggregateError([inner]), 'db.internal:5432');
    expect(failure?.message).toBe('connecting to db.internal:5432 timed out (ETIMEDOUT)');
  });

  it('GIVEN a DNS failure THEN it names the host', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), {
      code: 'ENOTFOUND',
      hostname: 'nowhere.invalid',
    });
    expect(describeNetworkError(error, 'nowhere.invalid:443')?.message).toBe(
      'DNS lookup failed for nowhere.invalid: no such host (ENOTFOUND)',
    );
  });

  it('GIVEN an error without a network code THEN it returns undefined for the caller to describe', () => {
    expect(
      describeNetworkError(new Error('WRONGPASS invalid username-password pair'), 'x:1'),
    ).toBeUndefined();
    expect(describeNetworkError(Object.assign(new Error('x'), { code: '28P01' }), 'x:1')).toBeUndefined();
    expect(describeNetworkError('text', 'x:1')).toBeUndefined();
  });

  it('GIVEN an HttpEndpointError THEN its kind and code are kept', () => {
    const error = new HttpEndpointError('timeout', 'no response within 5 ms', { code: 'ETIMEDOUT' });
    expect(error).toMatchObject({ name: 'HttpEndpointError', kind: 'timeout', code: 'ETIMEDOUT' });
  });
});

describe('HttpClient on a kept-alive connection the server dropped', () => {
  /**
   * A server that answers the first request of each connection (keeping it alive) and resets the
   * connection on the second, as a server does that restarted or timed the connection out meanwhile.
   */
  async function resettingServer(): Promise<{
    url: string;
    connections: () => number;
    close: () => Promise<void>;
  }> {
    const { createServer } = await import('node:net');
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      let requests = 0;
      socket.on('data', (chunk: Buffer) => {
        if (!chunk.toString('latin1').includes('\r\n\r\n')) return;
        requests += 1;
        if (requests === 1) {
          socket.write(
            'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
          );
        } else {
          socket.resetAndDestroy();
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      url: `http://127.0.0.1:${port}`,
      connections: () => connections,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('GIVEN an idempotent request on a connection reset before any response THEN it is sent once more on a new connection', async () => {
    const server = await resettingServer();
    try {
      const api = client(server.url);
      expect((await api.request('/a')).json()).toEqual({ ok: true });
      expect((await api.request('/b')).json()).toEqual({ ok: true });
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('GIVEN a POST on such a connection THEN it is not sent twice: it fails in words', async () => {
    const server = await resettingServer();
    try {
      const api = client(server.url);
      await api.request('/a');
      await expect(api.request('/b', { method: 'POST', body: { n: 1 } })).rejects.toMatchObject({
        kind: 'connection-reset',
      });
      expect(server.connections()).toBe(1);
    } finally {
      await server.close();
    }
  });
});
