/**
 * A GitHub REST API on 127.0.0.1 for tests: `/rate_limit` and `/user` with GitHub's JSON and
 * `x-ratelimit-*` headers, token authentication, and the GitHub App flow — a JWT signed RS256 by the app's
 * key, verified here with its public key, exchanged for an installation token.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';

/** A GitHub App known to the fake server. */
export interface FakeApp {
  readonly appId: number;
  readonly installationId: number;
  /** The app's private key (PEM, PKCS#8). */
  readonly privateKey: string;
}

/** What the fake server does for the next requests. */
export type FakeMode = 'ok' | 'hang' | 'slow' | 'bad-gateway' | 'secondary-limit';

/** A running fake GitHub. */
export interface FakeGitHub extends TestServer {
  /** The login `/user` answers with. */
  readonly login: string;
  /** The token that authenticates. */
  readonly token: string;
  readonly app: FakeApp;
  /** The core rate limit it reports. */
  rate: { limit: number; remaining: number; used: number; reset: number };
  mode: FakeMode;
  /** Installation tokens issued so far. */
  readonly issued: string[];
}

function base64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Verifies an RS256 JWT with the public key and returns its claims, or undefined. */
function verifyJwt(jwt: string, publicKeyPem: string): { iss?: unknown } | undefined {
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return undefined;
  const valid = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(publicKeyPem),
    base64url(signature),
  );
  if (!valid) return undefined;
  return JSON.parse(base64url(payload).toString('utf8')) as { iss?: unknown };
}

/** A new RSA key pair in PEM. */
export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** Starts a fake GitHub answering as `login`. */
export async function startFakeGitHub(login = 'servicedeck-bot'): Promise<FakeGitHub> {
  const keys = rsaKeyPair();
  const token = `ghp_${randomBytes(12).toString('hex')}`;
  const issued: string[] = [];
  // The server's state is the returned object itself, so tests change it by assigning its fields.
  const state: { rate: FakeGitHub['rate']; mode: FakeMode } = {
    rate: { limit: 5000, remaining: 4990, used: 10, reset: Math.floor(Date.now() / 1000) + 1800 },
    mode: 'ok',
  };
  let fake: FakeGitHub | undefined;
  const current = (): { rate: FakeGitHub['rate']; mode: FakeMode } => fake ?? state;
  const app: FakeApp = { appId: 4242, installationId: 777, privateKey: keys.privateKey };
  const rateHeaders = (): Record<string, string> => ({
    'x-ratelimit-limit': String(current().rate.limit),
    'x-ratelimit-remaining': String(current().rate.remaining),
    'x-ratelimit-used': String(current().rate.used),
    'x-ratelimit-reset': String(current().rate.reset),
    'x-ratelimit-resource': 'core',
  });
  const authorised = (req: IncomingMessage): boolean => {
    const value = req.headers.authorization ?? '';
    const presented = value.replace(/^(token|bearer)\s+/i, '');
    return presented === token || issued.includes(presented);
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (current().mode === 'hang') return;
    const answer = (): void => {
      if (current().mode === 'bad-gateway') {
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html>502 Bad Gateway</html>');
        return;
      }
      const install = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname);
      if (install && req.method === 'POST') {
        const jwt = (req.headers.authorization ?? '').replace(/^bearer\s+/i, '');
        const claims = verifyJwt(jwt, keys.publicKey);
        if (!claims || String(claims.iss) !== String(app.appId)) {
          sendJson(res, 401, {
            message: 'A JSON web token could not be decoded',
            documentation_url: 'https://docs.github.com/rest',
            status: '401',
          });
          return;
        }
        if (Number(install[1]) !== app.installationId) {
          sendJson(res, 404, { message: 'Not Found', status: '404' });
          return;
        }
        const issuedToken = `ghs_${randomBytes(12).toString('hex')}`;
        issued.push(issuedToken);
        sendJson(res, 201, {
          token: issuedToken,
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: { issues: 'write', metadata: 'read' },
          repository_selection: 'all',
        });
        return;
      }
      if (!authorised(req)) {
        sendJson(res, 401, {
          message: 'Bad credentials',
          documentation_url: 'https://docs.github.com/rest',
          status: '401',
        });
        return;
      }
      if (current().mode === 'secondary-limit') {
        sendJson(
          res,
          403,
          {
            message:
              'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          },
          { 'retry-after': '60', ...rateHeaders() },
        );
        return;
      }
      if (url.pathname === '/rate_limit') {
        const core = { ...current().rate };
        sendJson(
          res,
          200,
          {
            resources: {
              core,
              search: { limit: 30, remaining: 30, reset: core.reset, used: 0 },
              graphql: { limit: 5000, remaining: 5000, reset: core.reset, used: 0 },
            },
            rate: core,
          },
          rateHeaders(),
        );
        return;
      }
      if (current().rate.remaining <= 0) {
        sendJson(
          res,
          403,
          {
            message: 'API rate limit exceeded for user ID 1.',
            documentation_url: 'https://docs.github.com/rest',
          },
          rateHeaders(),
        );
        return;
      }
      current().rate.remaining -= 1;
      current().rate.used += 1;
      if (url.pathname === '/user') {
        sendJson(res, 200, { login, id: 1, type: 'User' }, rateHeaders());
        return;
      }
      sendJson(res, 404, { message: 'Not Found' }, rateHeaders());
    };
    if (current().mode === 'slow') setTimeout(answer, 200);
    else answer();
  };
  const server = await startServer(handler);
  fake = Object.assign(server, { login, token, app, issued, rate: state.rate, mode: state.mode });
  return fake;
}
