/**
 * Real `redis-server` processes for tests, each on a free port of 127.0.0.1 in a directory of its own:
 * started, killed (clients then get "connection refused") and started again on the same port. Every
 * process started is killed by {@link killAll}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

/** A redis-server process that can be killed and started again. */
export interface RedisProcess {
  readonly port: number;
  /** Its working directory (where a dump.rdb goes). */
  readonly dir: string;
  /** Kills the process (SIGKILL) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with these arguments added to the first ones. */
  start(extra?: readonly string[]): Promise<void>;
}

const running = new Set<ChildProcess>();
const dirs = new Set<string>();

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something on `port` answers a PING with a reply of the RESP protocol (over TLS with `secure`). */
function answers(port: number, secure: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect(port, '127.0.0.1');
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (data) => done(/^[+-]/.test(data.toString('latin1'))));
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
  });
}

async function launch(
  port: number,
  dir: string,
  args: readonly string[],
  secure: boolean,
): Promise<ChildProcess> {
  const listen = secure
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', 'cert.pem', '--tls-key-file', 'key.pem']
    : ['--port', String(port)];
  const child = spawn(
    'redis-server',
    [...listen, '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--dir', dir, ...args],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.on('exit', () => running.delete(child));
  const deadline = Date.now() + 10_000;
  while (!(await answers(port, secure))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Starts a redis-server with `args` added to `--port N --save "" --appendonly no --bind 127.0.0.1`. With a
 * certificate, it listens with TLS only (`--port 0 --tls-port N`) and does not ask clients for theirs.
 */
export async function startRedis(
  args: readonly string[] = [],
  certificate?: { key: string; cert: string },
): Promise<RedisProcess> {
  const dir = await mkdtemp(path.join(tmpdir(), 'servicedeck-redis-'));
  dirs.add(dir);
  const secure = certificate !== undefined;
  if (certificate) {
    await writeFile(path.join(dir, 'key.pem'), certificate.key);
    await writeFile(path.join(dir, 'cert.pem'), certificate.cert);
    args = [...args, '--tls-auth-clients', 'no'];
  }
  const port = await freePort();
  let child = await launch(port, dir, args, secure);
  return {
    port,
    dir,
    stop: () => kill(child),
    start: async (extra = []) => {
      await kill(child);
      child = await launch(port, dir, [...args, ...extra], secure);
    },
  };
}

/** Kills every process started here and removes their directories. */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map(kill));
  await Promise.all([...dirs].map((dir) => rm(dir, { recursive: true, force: true })));
  dirs.clear();
}
