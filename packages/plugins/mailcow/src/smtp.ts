/**
 * An SMTP greeting and EHLO over node:net or node:tls, the way a health check should do it: read the 220
 * greeting, send EHLO, read the capabilities, say QUIT, and always destroy the socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { describeNetworkError, hostPort } from '@servicedeck/plugin-kit';

/** What an SMTP server said. */
export interface SmtpHello {
  /** The greeting's text after `220`. */
  readonly greeting: string;
  /** The EHLO keywords: `STARTTLS`, `AUTH PLAIN LOGIN`, `SIZE 104857600`… */
  readonly capabilities: string[];
  /** Milliseconds from connecting to the EHLO answer. */
  readonly latencyMs: number;
}

/** Where and how to connect. */
export interface SmtpTarget {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (port 465). */
  readonly secure: boolean;
  /** Milliseconds each step may take. */
  readonly timeoutMs: number;
}

/** An SMTP check failed; the message says how, starting with `SMTP:`. */
export class SmtpError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(`SMTP: ${message}`, options);
    this.name = 'SmtpError';
  }
}

/**
 * Greets the server and asks for its capabilities.
 *
 * @throws SmtpError in words: `SMTP: connection refused by host:587`, `SMTP: no greeting within 5000 ms`,
 *   `SMTP: 554 5.7.1 blocked`.
 */
export function smtpHello(target: SmtpTarget, signal?: AbortSignal): Promise<SmtpHello> {
  const where = hostPort(target.host, target.port);
  const started = performance.now();
  return new Promise<SmtpHello>((resolve, reject) => {
    const socket: net.Socket = target.secure
      ? tls.connect({ host: target.host, port: target.port, servername: target.host })
      : net.connect({ host: target.host, port: target.port });
    let buffer = '';
    let stage: 'greeting' | 'ehlo' | 'quit' = 'greeting';
    let greeting = '';
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: () => void, farewell?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (farewell) {
        // Say goodbye, then close as soon as it is written: the server's answer is not needed.
        socket.once('finish', () => socket.destroy());
        socket.end(farewell);
      } else {
        socket.destroy();
      }
      outcome();
    };
    const fail = (message: string, cause?: unknown): void =>
      finish(() => reject(new SmtpError(message, { cause })));
    const wait = (what: string): void => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(`no ${what} within ${target.timeoutMs} ms from ${where}`),
        target.timeoutMs,
      );
    };
    const onAbort = (): void => fail('check aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    wait('connection');
    socket.once(target.secure ? 'secureConnect' : 'connect', () => wait('greeting'));
    socket.on('error', (error) => {
      const failure = describeNetworkError(error, where);
      fail(failure?.message ?? `${error.message} (${where})`, error);
    });
    socket.on('close', () => fail(`${where} closed the connection during the ${stage}`));
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      // A reply is complete at a line whose code is followed by a space (`250 OK`), not a dash (`250-SIZE`).
      const lines = buffer.split('\r\n');
      const last = lines.findIndex((line) => /^\d{3}(?: |$)/.test(line));
      if (last < 0) return;
      const reply = lines.slice(0, last + 1);
      buffer = lines.slice(last + 1).join('\r\n');
      const code = (reply.at(-1) as string).slice(0, 3);
      const text = reply
        .map((line) => line.slice(4))
        .join(' ')
        .trim();
      if (stage === 'greeting') {
        if (code !== '220') return fail(`${code} ${text}`.trim());
        greeting = text;
        stage = 'ehlo';
        wait('EHLO answer');
        socket.write('EHLO servicedeck.health\r\n');
        return;
      }
      if (stage === 'ehlo') {
        if (code !== '250') return fail(`EHLO refused: ${code} ${text}`.trim());
        const capabilities = reply.slice(1).map((line) => line.slice(4).trim());
        stage = 'quit';
        finish(
          () => resolve({ greeting, capabilities, latencyMs: Math.round(performance.now() - started) }),
          'QUIT\r\n',
        );
      }
    });
  });
}
