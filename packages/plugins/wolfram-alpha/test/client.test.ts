import type { Socket } from 'node:net';
import { closedPort, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  primaryText,
  WolframAlphaClient,
  type WolframAlphaClientOptions,
  WolframAlphaError,
} from '../src/index.js';
import { type FakeWolfram, startFakeWolfram } from './support/fake-wolfram.js';

const fakes: FakeWolfram[] = [];
const clients: WolframAlphaClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const fake of fakes.splice(0)) await fake.server.close();
});

const APP_IDS = {
  'ALL-APIS-1': ['short-answers', 'spoken-results', 'full-results'],
  'SHORT-ONLY-1': ['short-answers'],
} as const;

async function fake(): Promise<FakeWolfram> {
  const started = await startFakeWolfram(APP_IDS);
  fakes.push(started);
  return started;
}

function client(options: Partial<WolframAlphaClientOptions> & { baseUrl: string }): WolframAlphaClient {
  const made = new WolframAlphaClient({
    appId: 'ALL-APIS-1',
    api: 'short-answers',
    timeoutMs: 5_000,
    ...options,
  });
  clients.push(made);
  return made;
}

describe('WolframAlphaClient: Short Answers and Spoken Results', () => {
  it('GIVEN a question THEN shortAnswer returns the text, sending the app id, the input and the units', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, units: 'imperial' });
    expect(await wa.shortAnswer('distance from Earth to the Moon')).toEqual({
      input: 'distance from Earth to the Moon',
      text: '238900 miles',
      latencyMs: expect.any(Number),
    });
    const sent = new URL(wolfram.server.requests[0]?.url ?? '', 'http://x');
    expect(sent.pathname).toBe('/v1/result');
    expect(Object.fromEntries(sent.searchParams)).toEqual({
      appid: 'ALL-APIS-1',
      i: 'distance from Earth to the Moon',
      units: 'imperial',
    });
    expect((await wa.shortAnswer('distance from Earth to the Moon', { units: 'metric' })).text).toBe(
      '384400 kilometers',
    );
    expect(wa.lastOutcome).toMatchObject({ api: 'short-answers', accepted: true, at: expect.any(Date) });
  });

  it('GIVEN a question THEN spokenResult returns the sentence', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    expect((await wa.spokenResult('1+1')).text).toBe('The answer is 2');
    expect(wolfram.log()).toEqual(['/v1/spoken 1+1']);
  });

  it('GIVEN input Wolfram|Alpha does not understand THEN the error says so, and the app id counts as accepted', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    const failure = wa.shortAnswer('asdfgh qwerty');
    await expect(failure).rejects.toBeInstanceOf(WolframAlphaError);
    await expect(failure).rejects.toMatchObject({
      kind: 'not-understood',
      status: 501,
      api: 'short-answers',
      message: 'Wolfram|Alpha did not understand "asdfgh qwerty"',
    });
    expect(wa.lastOutcome).toMatchObject({ accepted: true });
  });

  it('GIVEN input without a short or spoken answer THEN the error says the API has none', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    await expect(wa.shortAnswer('plot sin x')).rejects.toMatchObject({
      kind: 'no-short-answer',
      message:
        'no answer short enough for the Short Answers API "plot sin x" (the Short Answers API answered 501 "No short answer available")',
    });
    await expect(wa.spokenResult('plot sin x')).rejects.toMatchObject({
      kind: 'no-short-answer',
      message: expect.stringContaining('answered 501 "No spoken result available"'),
    });
  });

  it('GIVEN an empty input THEN the client refuses it without spending a query', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    await expect(wa.shortAnswer('  ')).rejects.toMatchObject({
      kind: 'no-input',
      message: 'no input: give the text of the query',
    });
    await expect(wa.query('')).rejects.toMatchObject({ kind: 'no-input' });
    expect(wolfram.calls()).toBe(0);
  });

  it('GIVEN a wrong app id THEN authentication fails with the words Wolfram|Alpha used', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, appId: 'WRONG-ID-1' });
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({
      kind: 'invalid-app-id',
      status: 403,
      message:
        'authentication failed: invalid app id (the Short Answers API answered 403 "Error 1: Invalid appid")',
    });
    expect(wa.lastOutcome).toMatchObject({ api: 'short-answers', accepted: false });
  });

  it('GIVEN an app id issued for another API THEN the error says it is not authorised for this one', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, appId: 'SHORT-ONLY-1', api: 'short-answers' });
    expect((await wa.shortAnswer('1+1')).text).toBe('2');
    await expect(wa.spokenResult('1+1')).rejects.toMatchObject({
      kind: 'not-authorised',
      message:
        'app id not authorised for the Spoken Results API (the Spoken Results API answered 403 "Error 1: Invalid appid"); it is configured for the Short Answers API',
    });
    await expect(wa.query('1+1')).rejects.toMatchObject({
      kind: 'not-authorised',
      message: expect.stringMatching(
        /^app id not authorised for the Full Results API \(the Full Results API answered error 1 "Invalid appid"\)/,
      ),
    });
  });

  it('GIVEN the allowance is used up THEN the error says the rate or quota limit is exceeded', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    wolfram.mode = 'quota-429';
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({
      kind: 'quota-exceeded',
      message: 'rate or quota limit exceeded (the Short Answers API answered 429 "Rate limit exceeded")',
    });
    wolfram.mode = 'quota-words';
    await expect(wa.spokenResult('1+1')).rejects.toMatchObject({
      kind: 'quota-exceeded',
      message:
        'rate or quota limit exceeded (the Spoken Results API answered 403 "Error: monthly API call limit exceeded")',
    });
    await expect(wa.query('1+1')).rejects.toMatchObject({
      kind: 'quota-exceeded',
      message:
        'rate or quota limit exceeded (the Full Results API answered error 1100 "Monthly API call limit exceeded")',
    });
  });

  it('GIVEN Wolfram|Alpha failing THEN the error says which API failed and how', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    wolfram.mode = 'server-error';
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({
      kind: 'server',
      message: 'the Short Answers API failed: server error (503 Service Unavailable)',
    });
  });

  it('GIVEN a slow answer THEN the request fails after the timeout, in words', async () => {
    const wolfram = await fake();
    wolfram.delayMs = 2_000;
    const wa = client({ baseUrl: wolfram.url, timeoutMs: 200 });
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({
      name: 'HttpEndpointError',
      kind: 'timeout',
      message: 'no response within 200 ms',
    });
    expect(wa.inFlightCount).toBe(0);
    expect(wa.lastOutcome).toMatchObject({ accepted: false });
  });

  it('GIVEN a kept-alive connection the server dropped THEN the query is sent again on a new connection', async () => {
    const answered = new WeakSet<Socket>();
    const server: TestServer = await startServer((req, res) => {
      // The server closes a connection it already answered on, as one does with idle connections.
      if (answered.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      answered.add(req.socket);
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'keep-alive' });
      res.end('2');
    });
    try {
      const wa = client({ baseUrl: server.url });
      expect((await wa.shortAnswer('1+1')).text).toBe('2');
      expect((await wa.shortAnswer('1+1')).text).toBe('2');
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('GIVEN a port nobody listens on THEN the request says the connection was refused', async () => {
    const port = await closedPort();
    const wa = client({ baseUrl: `http://127.0.0.1:${port}` });
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({
      kind: 'connection-refused',
      message: `connection refused by 127.0.0.1:${port}`,
    });
  });
});

describe('WolframAlphaClient: Full Results', () => {
  it('GIVEN a question THEN query returns typed pods, asking for plaintext JSON', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, api: 'full-results' });
    const results = await wa.query('1+1', { includePodIds: ['Input', 'Result'] });
    expect(results).toMatchObject({
      success: true,
      input: '1+1',
      dataTypes: ['Math'],
      timedOut: [],
      didYouMeans: [],
      timing: 0.42,
      pods: [
        { id: 'Input', title: 'Input', scanner: 'Identity', position: 100, primary: false, error: false },
        {
          id: 'Result',
          primary: true,
          subpods: [
            {
              title: '',
              plaintext: '2',
              image: {
                src: 'https://www6b3.wolframalpha.com/Calculate/MSP/Result.gif',
                alt: '2',
                width: 40,
                height: 18,
              },
            },
          ],
        },
      ],
    });
    expect(primaryText(results)).toBe('2');
    const sent = new URL(wolfram.server.requests[0]?.url ?? '', 'http://x');
    expect(sent.pathname).toBe('/v2/query');
    expect(sent.searchParams.get('output')).toBe('json');
    expect(sent.searchParams.get('format')).toBe('plaintext');
    expect(sent.searchParams.getAll('includepodid')).toEqual(['Input', 'Result']);
  });

  it('GIVEN input Wolfram|Alpha does not understand THEN query resolves unsuccessful with its suggestions', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, api: 'full-results' });
    const results = await wa.query('asdfgh');
    expect(results).toMatchObject({
      success: false,
      pods: [],
      didYouMeans: [{ value: 'asdf', score: 0.3, level: 'low' }],
      tips: ['Check your spelling, and use English'],
    });
    expect(primaryText(results)).toBeNull();
  });

  it('GIVEN a wrong app id THEN query and validateQuery reject with the Full Results error', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, appId: 'WRONG-ID-1', api: 'full-results' });
    const expected = {
      kind: 'invalid-app-id',
      status: 200,
      message:
        'authentication failed: invalid app id (the Full Results API answered error 1 "Invalid appid")',
    };
    await expect(wa.query('1+1')).rejects.toMatchObject(expected);
    await expect(wa.validateQuery('1+1')).rejects.toMatchObject(expected);
  });

  it('GIVEN validateQuery THEN the input is parsed, not computed, and the answer is read from its XML', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url, api: 'full-results' });
    expect(await wa.validateQuery('1+1')).toEqual({
      success: true,
      parseTiming: 0.274,
      latencyMs: expect.any(Number),
    });
    expect(await wa.validateQuery('asdfgh')).toMatchObject({ success: false });
    expect(wolfram.log()).toEqual(['/v2/validatequery 1+1', '/v2/validatequery asdfgh']);
  });

  it('GIVEN a closed client THEN requests are refused and nothing is sent', async () => {
    const wolfram = await fake();
    const wa = client({ baseUrl: wolfram.url });
    await wa.close();
    expect(wa.isClosed).toBe(true);
    await expect(wa.shortAnswer('1+1')).rejects.toMatchObject({ kind: 'aborted' });
    expect(wolfram.calls()).toBe(0);
  });
});
