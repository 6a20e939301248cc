/**
 * A stand-in PostgreSQL server speaking the start of the real wire protocol (version 3.0): it answers an
 * SSLRequest (with TLS when given a certificate), asks for a cleartext password, records it, and then
 * refuses the login with the ErrorResponse a real server sends for a wrong password (SQLSTATE 28P01).
 * The machine's PostgreSQL trusts every local login, so a wrong password cannot fail there.
 */
import net from 'node:net';
import tls from 'node:tls';

/** What the fake server saw. */
export interface FakePostgres {
  readonly port: number;
  /** The startup parameters of each login (`user`, `database`, `application_name`…). */
  readonly startups: Record<string, string>[];
  /** The passwords received. */
  readonly passwords: string[];
  /** Whether each connection asked for TLS. */
  readonly sslRequests: boolean[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

function errorResponse(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([key, value]) => Buffer.from(`${key}${value}\0`, 'utf8'));
  return message('E', Buffer.concat([...parts, Buffer.from([0])]));
}

/** Reads length-prefixed messages from a stream: untyped ones before the login, typed ones after. */
class Reader {
  private buffer = Buffer.alloc(0);
  public push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
  }
  public untyped(): Buffer | undefined {
    if (this.buffer.length < 4) return undefined;
    const length = this.buffer.readInt32BE(0);
    if (this.buffer.length < length) return undefined;
    const body = this.buffer.subarray(4, length);
    this.buffer = this.buffer.subarray(length);
    return body;
  }
  public typed(): { type: string; body: Buffer } | undefined {
    if (this.buffer.length < 5) return undefined;
    const length = this.buffer.readInt32BE(1);
    if (this.buffer.length < length + 1) return undefined;
    const type = this.buffer.toString('latin1', 0, 1);
    const body = this.buffer.subarray(5, length + 1);
    this.buffer = this.buffer.subarray(length + 1);
    return { type, body };
  }
}

/**
 * Starts the fake server on a free port of 127.0.0.1.
 *
 * @param certificate - with it, an SSLRequest is accepted and the login continues over TLS.
 */
export async function startFakePostgres(certificate?: { key: string; cert: string }): Promise<FakePostgres> {
  const startups: Record<string, string>[] = [];
  const passwords: string[] = [];
  const sslRequests: boolean[] = [];
  const sockets = new Set<net.Socket>();

  const login = (stream: net.Socket, reader: Reader, asked: boolean): void => {
    let stage: 'startup' | 'password' = 'startup';
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      if (stage === 'startup') {
        const body = reader.untyped();
        if (!body) return;
        const code = body.readInt32BE(0);
        if (code === SSL_REQUEST && !asked) {
          stream.off('data', onData);
          if (!certificate) {
            stream.write('N');
            sslRequests.push(true);
            login(stream, reader, true);
            return;
          }
          stream.write('S');
          sslRequests.push(true);
          const secure = new tls.TLSSocket(stream, {
            isServer: true,
            key: certificate.key,
            cert: certificate.cert,
          });
          secure.on('error', () => undefined);
          login(secure, new Reader(), true);
          return;
        }
        if (code !== PROTOCOL_3) {
          stream.destroy();
          return;
        }
        if (!asked) sslRequests.push(false);
        const fields = body.subarray(4).toString('utf8').split('\0');
        const params: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length && fields[i]; i += 2)
          params[fields[i] as string] = fields[i + 1] ?? '';
        startups.push(params);
        stage = 'password';
        // AuthenticationCleartextPassword.
        stream.write(message('R', Buffer.from([0, 0, 0, 3])));
        return;
      }
      const reply = reader.typed();
      if (!reply) return;
      if (reply.type === 'p') passwords.push(reply.body.toString('utf8').replace(/\0$/, ''));
      stream.end(
        errorResponse({
          S: 'FATAL',
          V: 'FATAL',
          C: '28P01',
          M: `password authentication failed for user "${startups.at(-1)?.user ?? ''}"`,
          R: 'auth_failed',
        }),
      );
    };
    stream.on('data', onData);
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    login(socket, new Reader(), false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    startups,
    passwords,
    sslRequests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
