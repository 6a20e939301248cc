/**
 * A Mailcow server for tests: its API on HTTP (`/api/v1/get/status/containers`, `…/status/version`,
 * `…/domain/all`, `…/mailbox/all`, with `X-API-Key` and Mailcow's `{"type":"error","msg":…}` bodies), and a
 * small real SMTP server (greeting, EHLO, MAIL, RCPT, DATA, QUIT) that keeps the messages it accepts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';

/** What the fake API answers. */
export type FakeApiMode = 'ok' | 'hang' | 'slow' | 'postfix-stopped' | 'ip-not-allowed';

/** A running fake Mailcow API. */
export interface FakeMailcowApi extends TestServer {
  readonly apiKey: string;
  mode: FakeApiMode;
}

const CONTAINERS = ['postfix-mailcow', 'dovecot-mailcow', 'rspamd-mailcow', 'nginx-mailcow', 'mysql-mailcow'];

/** Starts a fake Mailcow API accepting `apiKey`. */
export async function startFakeMailcowApi(apiKey = 'MAILCOW-KEY-1'): Promise<FakeMailcowApi> {
  let fake: FakeMailcowApi | undefined;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const mode = fake?.mode ?? 'ok';
    if (mode === 'hang') return;
    const answer = (): void => {
      if (req.headers['x-api-key'] !== apiKey) {
        sendJson(res, 401, { type: 'error', msg: 'authentication failed' });
        return;
      }
      if (mode === 'ip-not-allowed') {
        sendJson(res, 403, { type: 'error', msg: 'api access denied for ip 203.0.113.9' });
        return;
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      switch (url.pathname) {
        case '/api/v1/get/status/containers':
          sendJson(
            res,
            200,
            Object.fromEntries(
              CONTAINERS.map((name) => [
                `${name}-1`,
                {
                  type: 'info',
                  container: name,
                  state: mode === 'postfix-stopped' && name === 'postfix-mailcow' ? 'exited' : 'running',
                  started_at: '2026-11-20T10:00:00.000000000Z',
                  image: `ghcr.io/mailcow/${name.replace('-mailcow', '')}:1`,
                },
              ]),
            ),
          );
          return;
        case '/api/v1/get/status/version':
          sendJson(res, 200, { version: '2024-11b' });
          return;
        case '/api/v1/get/domain/all':
          sendJson(res, 200, [{ domain_name: 'example.com', active: 1, mboxes_in_domain: 2 }]);
          return;
        case '/api/v1/get/mailbox/all':
          sendJson(res, 200, [
            { username: 'bot@example.com', domain: 'example.com', active: 1, quota: 0, quota_used: 10 },
          ]);
          return;
        default:
          sendJson(res, 404, { type: 'error', msg: 'route not found' });
      }
    };
    if (mode === 'slow') setTimeout(answer, 200);
    else answer();
  };
  const server = await startServer(handler);
  fake = Object.assign(server, { apiKey, mode: 'ok' as FakeApiMode });
  return fake;
}

/** What the SMTP server does on connection. */
export type SmtpMode = 'ok' | 'silent' | 'reject';

/** A message the SMTP server accepted. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
}

/** A running SMTP server. */
export interface FakeSmtp {
  readonly port: number;
  readonly received: ReceivedMail[];
  mode: SmtpMode;
  /** Sessions opened so far. */
  sessions: number;
  /** Connections open now. */
  open(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Starts an SMTP server on 127.0.0.1 (no TLS, no authentication). */
export async function startFakeSmtp(): Promise<FakeSmtp> {
  const received: ReceivedMail[] = [];
  const sockets = new Set<net.Socket>();
  const state = { mode: 'ok' as SmtpMode, sessions: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    state.sessions += 1;
    if (state.mode === 'silent') return;
    if (state.mode === 'reject') {
      socket.end('554 5.7.1 mail.example.com: access denied for your address\r\n');
      return;
    }
    socket.write('220 mail.example.com ESMTP Postfix\r\n');
    let buffer = '';
    let inData = false;
    let mail: { from: string; to: string[]; data: string } = { from: '', to: [], data: '' };
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      while (true) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(mail);
          mail = { from: '', to: [], data: '' };
          socket.write('250 2.0.0 Ok: queued as 4AB12\r\n');
          continue;
        }
        const at = buffer.indexOf('\r\n');
        if (at < 0) return;
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          socket.write(
            '250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n',
          );
        } else if (verb === 'HELO') socket.write('250 mail.example.com\r\n');
        else if (verb === 'MAIL') {
          mail.from = /<([^>]*)>/.exec(line)?.[1] ?? '';
          socket.write('250 2.1.0 Ok\r\n');
        } else if (verb === 'RCPT') {
          mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 2.1.5 Ok\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
        } else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 2.0.0 Ok\r\n');
        else if (verb === 'QUIT') socket.end('221 2.0.0 Bye\r\n');
        else socket.write('502 5.5.2 Error: command not recognized\r\n');
      }
    });
  });
  const listen = (port: number): Promise<void> =>
    new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  return Object.assign(state, {
    port,
    received,
    open: () => sockets.size,
    stop,
    start: () => listen(port),
    close: stop,
  });
}
