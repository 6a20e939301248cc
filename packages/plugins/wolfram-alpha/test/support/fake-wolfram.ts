/**
 * A Wolfram|Alpha stand-in on 127.0.0.1: the Short Answers (`/v1/result`), Spoken Results (`/v1/spoken`),
 * Full Results (`/v2/query?output=json`) and validate-query (`/v2/validatequery`, XML) routes, with the
 * API's status codes and bodies for app ids issued per API, plus switches for quota exhaustion, server
 * errors, slow and hanging answers.
 */
import type { ServerResponse } from 'node:http';
import { sendJson, startServer, type TestServer } from '@servicedeck/plugin-kit/testing';
import type { WolframApi, WolframUnits } from '../../src/index.js';

/** How the fake answers every request. */
export type FakeMode =
  /** As Wolfram|Alpha does. */
  | 'normal'
  /** The allowance is used up, reported with a 429. */
  | 'quota-429'
  /** The allowance is used up, reported in words (a 403 text, or a Full Results `error`). */
  | 'quota-words'
  /** Wolfram|Alpha is failing: 503. */
  | 'server-error'
  /** Requests are received and never answered. */
  | 'hang';

/** A running fake. */
export interface FakeWolfram {
  readonly server: TestServer;
  readonly url: string;
  readonly port: number;
  mode: FakeMode;
  /** Milliseconds before each answer. */
  delayMs: number;
  /** How many API calls reached it (each would count against a real app id's allowance). */
  calls(): number;
  /** Paths and inputs of the calls, in order (`/v1/result 1+1`). */
  log(): string[];
}

/** The app ids the fake knows, and the APIs each was issued for. */
export type AppIds = Readonly<Record<string, readonly WolframApi[]>>;

const NOT_UNDERSTOOD = 'Wolfram|Alpha did not understand your input';

interface Answer {
  readonly short?: (units: WolframUnits) => string;
  readonly spoken?: (units: WolframUnits) => string;
  readonly pods?: (units: WolframUnits) => object[];
}

/** The inputs the fake knows; anything else is not understood. */
const ANSWERS: Readonly<Record<string, Answer>> = {
  '1+1': {
    short: () => '2',
    spoken: () => 'The answer is 2',
    pods: () => [
      pod('Input', 'Input', 'Identity', 100, '1 + 1'),
      { ...pod('Result', 'Result', 'Simplification', 200, '2'), primary: true },
    ],
  },
  'distance from Earth to the Moon': {
    short: (units) => (units === 'imperial' ? '238900 miles' : '384400 kilometers'),
    spoken: (units) =>
      `The distance from Earth to the Moon is about ${units === 'imperial' ? '238900 miles' : '384400 kilometers'}`,
    pods: (units) => [
      pod('Input', 'Input interpretation', 'Identity', 100, 'Earth | distance from Moon'),
      {
        ...pod('Result', 'Result', 'Data', 200, units === 'imperial' ? '238900 miles' : '384400 km'),
        primary: true,
      },
    ],
  },
  'plot sin x': {
    pods: () => [pod('Plot', 'Plot', 'Plotter', 100, '')],
  },
};

function pod(id: string, title: string, scanner: string, position: number, text: string): object {
  return {
    title,
    scanner,
    id,
    position,
    error: false,
    numsubpods: 1,
    subpods: [
      {
        title: '',
        plaintext: text,
        img: {
          src: `https://www6b3.wolframalpha.com/Calculate/MSP/${id}.gif`,
          alt: text,
          width: 40,
          height: 18,
        },
      },
    ],
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain;charset=utf-8' });
  res.end(text);
}

function sendXml(res: ServerResponse, xml: string): void {
  res.writeHead(200, { 'content-type': 'text/xml;charset=utf-8' });
  res.end(`<?xml version='1.0' encoding='UTF-8'?>\n${xml}`);
}

function queryResult(fields: object): object {
  return {
    queryresult: {
      success: false,
      error: false,
      numpods: 0,
      datatypes: '',
      timedout: '',
      timedoutpods: '',
      timing: 0.019,
      parsetiming: 0,
      parsetimedout: false,
      recalculate: '',
      id: '',
      host: 'https://www6b3.wolframalpha.com',
      server: '5',
      related: '',
      version: '2.6',
      ...fields,
    },
  };
}

/** Starts the fake with the given app ids. */
export async function startFakeWolfram(appIds: AppIds): Promise<FakeWolfram> {
  const state: { mode: FakeMode; delayMs: number } = { mode: 'normal', delayMs: 0 };
  const calls: string[] = [];

  const answer = (path: string, search: URLSearchParams, res: ServerResponse): void => {
    const api: WolframApi | undefined =
      path === '/v1/result'
        ? 'short-answers'
        : path === '/v1/spoken'
          ? 'spoken-results'
          : path === '/v2/query' || path === '/v2/validatequery'
            ? 'full-results'
            : undefined;
    if (api === undefined) {
      sendText(res, 404, 'Not Found');
      return;
    }
    const v2 = api === 'full-results';
    const input = search.get(v2 ? 'input' : 'i');
    calls.push(`${path} ${input ?? ''}`);
    const appId = search.get('appid') ?? '';
    const v2Error = (code: string, msg: string): void => {
      if (path === '/v2/validatequery') {
        sendXml(
          res,
          `<validatequeryresult success='false' error='true' timing='0.011' parsetiming='0.' version='2.6'>\n <error>\n  <code>${code}</code>\n  <msg>${msg}</msg>\n </error>\n</validatequeryresult>`,
        );
      } else sendJson(res, 200, queryResult({ error: { code, msg } }));
    };

    if (state.mode === 'server-error') {
      sendText(res, 503, 'Service Unavailable');
      return;
    }
    if (appId === '') {
      if (v2) v2Error('2', 'Appid missing');
      else sendText(res, 403, 'Error 2: Appid missing');
      return;
    }
    if (!appIds[appId]?.includes(api)) {
      if (v2) v2Error('1', 'Invalid appid');
      else sendText(res, 403, 'Error 1: Invalid appid');
      return;
    }
    if (state.mode === 'quota-429') {
      sendText(res, 429, 'Rate limit exceeded');
      return;
    }
    if (state.mode === 'quota-words') {
      if (v2) v2Error('1100', 'Monthly API call limit exceeded');
      else sendText(res, 403, 'Error: monthly API call limit exceeded');
      return;
    }
    if (input === null || input.trim() === '') {
      if (v2) v2Error('1000', 'Missing input parameter');
      else sendText(res, 400, "No input.  Please specify the input using the 'i' query parameter.");
      return;
    }
    const units: WolframUnits = search.get('units') === 'imperial' ? 'imperial' : 'metric';
    const known = ANSWERS[input];
    if (path === '/v2/validatequery') {
      sendXml(
        res,
        `<validatequeryresult success='${known ? 'true' : 'false'}' error='false' timing='0.292' parsetiming='0.274' version='2.6'>\n</validatequeryresult>`,
      );
      return;
    }
    if (path === '/v2/query') {
      if (!known?.pods) {
        sendJson(
          res,
          200,
          queryResult({
            inputstring: input,
            didyoumeans: { score: '0.3', level: 'low', val: input.slice(0, 4) },
            tips: { text: 'Check your spelling, and use English' },
          }),
        );
        return;
      }
      const pods = known.pods(units);
      sendJson(
        res,
        200,
        queryResult({
          success: true,
          numpods: pods.length,
          datatypes: 'Math',
          inputstring: input,
          timing: 0.42,
          pods,
        }),
      );
      return;
    }
    const text = api === 'short-answers' ? known?.short?.(units) : known?.spoken?.(units);
    if (text !== undefined) sendText(res, 200, text);
    else if (known)
      sendText(
        res,
        501,
        api === 'short-answers' ? 'No short answer available' : 'No spoken result available',
      );
    else sendText(res, 501, NOT_UNDERSTOOD);
  };

  const server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (state.mode === 'hang') {
      calls.push(`${url.pathname} ${url.searchParams.get('i') ?? url.searchParams.get('input') ?? ''}`);
      return;
    }
    if (state.delayMs > 0) {
      const timer = setTimeout(() => answer(url.pathname, url.searchParams, res), state.delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    answer(url.pathname, url.searchParams, res);
  });

  return {
    server,
    url: server.url,
    port: server.port,
    get mode() {
      return state.mode;
    },
    set mode(mode: FakeMode) {
      state.mode = mode;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(ms: number) {
      state.delayMs = ms;
    },
    calls: () => calls.length,
    log: () => [...calls],
  };
}
