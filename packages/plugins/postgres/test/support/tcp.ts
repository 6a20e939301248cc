/**
 * TCP servers for tests: a proxy to a real server that can be stopped (clients get "connection refused")
 * and started again on the same port (a server restart), and a server that accepts connections and never
 * answers.
 */
import net from 'node:net';

/** A TCP server on 127.0.0.1 that can be stopped and started again on its port. */
export interface TcpServer {
  readonly port: number;
  /** Connections open now. */
  openConnections(): number;
  /** Stops listening and drops every connection. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Stops for good. */
  close(): Promise<void>;
}

async function serve(onConnection: (socket: net.Socket) => void): Promise<TcpServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
    });
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  return { port, openConnections: () => sockets.size, stop, start: () => listen(port), close: stop };
}

/** A proxy on a free port to `targetPort` on 127.0.0.1. */
export function startTcpProxy(targetPort: number): Promise<TcpServer> {
  return serve((socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
}

/** A server that accepts connections, reads what it is sent and never sends a byte. */
export function startSilentServer(): Promise<TcpServer> {
  return serve((socket) => socket.resume());
}
