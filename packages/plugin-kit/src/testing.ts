/**
 * `@servicedeck/plugin-kit/testing`: what a plugin's tests need to run against real servers instead of
 * mocks: HTTP(S) servers on 127.0.0.1 that can be stopped and restarted, a port that refuses
 * connections, a throwaway self-signed certificate, and checks for leaked sockets and timers.
 *
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type ServiceInterface,
  ServiceRegistryManager,
  type ServiceRegistryManagerOptions,
} from '@servicedeck/core';

/** A request a test server received. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The request body as text, complete once the request has ended. */
  body: string;
}

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  /** How many connections are open on the server's side. */
  openConnections(): number;
  /** Stops listening and drops every connection: clients now see "connection refused". */
  stop(): Promise<void>;
  /** Listens again on the same port after {@link TestServer.stop} (a server restart). */
  start(): Promise<void>;
  /** Stops the server for good. */
  close(): Promise<void>;
}

/** A request handler of a test server. */
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A PEM key and self-signed certificate for 127.0.0.1. */
export interface Certificate {
  readonly key: string;
  readonly cert: string;
}

/**
 * Starts a real server on 127.0.0.1 on a free port (an HTTPS one with a certificate), standing in for an
 * external API in tests. Every request is recorded with its body.
 */
export async function startServer(handler: Handler, certificate?: Certificate): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const listener: Handler = (req, res) => {
    const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' };
    requests.push(seen);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString('utf8');
    });
    handler(req, res);
  };
  const server = certificate ? https.createServer(certificate, listener) : http.createServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // A failed TLS handshake is the client's business here; keep the server quiet about it.
  server.on('tlsClientError', () => undefined);
  const listen = (port: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `${certificate ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    openConnections: () => sockets.size,
    stop,
    start: () => listen(port),
    close: stop,
  };
}

/** Writes a JSON response with a status and extra headers. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A port on 127.0.0.1 that was just open and is now closed, so connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => undefined);
  await server.close();
  return server.port;
}

/** A fresh self-signed certificate made with the openssl command, or undefined when it is missing. */
export function selfSignedCertificate(): Certificate | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'servicedeck-http-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until `condition()` holds, polling every 10 ms, or fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How many active resources of `type` (`TCPSocketWrap`, `Timeout`…) keep the process alive. */
export function activeResources(type: string): number {
  return process.getActiveResourcesInfo().filter((name) => name === type).length;
}

/** A registry for a plugin's tests: a manager on its own SQLite file, and how to stop it. */
export interface TestRegistry {
  readonly manager: ServiceRegistryManager;
  /** The temporary directory holding the database and key file. */
  readonly dir: string;
  /** Shuts the manager down and removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a real `ServiceRegistryManager` on a new SQLite file in a temporary directory, with `services`
 * registered (and nothing discovered, no environment overrides), as a bot would run them.
 *
 * @example
 * ```ts
 * const { manager, stop } = await startTestRegistry([new GitHubService()]);
 * expect(manager.getServiceInfo('github').statusMessage).toMatch(/^not configured/);
 * await stop();
 * ```
 */
export async function startTestRegistry(
  services: readonly ServiceInterface[],
  options: Partial<ServiceRegistryManagerOptions> = {},
): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-plugin-test-'));
  const manager = new ServiceRegistryManager({
    database: { url: `sqlite:${path.join(dir, 'servicedeck.db')}` },
    discovery: { root: dir, scanDependencies: false },
    config: { cwd: dir, env: {} },
    ...options,
  });
  for (const service of services) manager.registerService(service);
  try {
    await manager.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    manager,
    dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await manager.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
