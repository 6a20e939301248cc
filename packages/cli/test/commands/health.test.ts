import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  DIALECTS,
  shouldSkip,
  type TestDatabase,
} from '../../../../tests/support/databases.js';
import type { FixtureHost } from '../../../core/test/support/host.js';
import { health } from '../../src/commands/health.js';
import { createContext } from '../../src/context.js';
import { run } from '../../src/main.js';
import type { HealthRow } from '../../src/output/health.js';
import { createCliHost } from '../support/host.js';
import { type Endpoint, startEndpoint } from '../support/http.js';
import { type CapturedIo, captureIo } from '../support/io.js';
import { parseTable } from '../support/table.js';

const LATENCY = /^(<1|\d+) ms$/;

describe.each(DIALECTS)('servicedeck health on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  let host: FixtureHost | undefined;
  let testDb: TestDatabase | undefined;
  let endpoint: Endpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    await host?.cleanup();
    await testDb?.cleanup();
    endpoint = undefined;
  });

  /** A bot with the valid fixture plugin and the probe plugin, whose endpoint answers `status` `body`. */
  async function setUp(status: number, body: string): Promise<{ io: CapturedIo; url: string }> {
    endpoint = await startEndpoint(status, body);
    host = await createCliHost(['sd-plugin-valid'], ['sd-plugin-probe']);
    testDb = await createTestDatabase(dialect);
    const io = captureIo(host.root, { NO_COLOR: '1', SERVICEDECK_SVC_PROBE__URL: endpoint.url });
    return { io, url: testDb.url };
  }

  const servicedeck = (io: CapturedIo, url: string, ...args: string[]): Promise<number> =>
    run(['node', 'servicedeck', '-d', url, '--log-format', 'json', ...args], io);

  it.skipIf(skip)(
    'GIVEN every running service healthy THEN it prints the table, shows the unconfigured one as inactive, and exits 0',
    async () => {
      const { io, url } = await setUp(200, 'OK');
      expect(await servicedeck(io, url, 'health')).toBe(0);
      const rows = parseTable(io.out());
      expect(Object.keys(rows[0] ?? {})).toEqual(['ID', 'STATUS', 'LATENCY', 'CAUSE', 'MESSAGE']);
      expect(rows.map((row) => row.ID)).toEqual(['alpha', 'beta', 'mailer', 'probe', 'process']);
      const byId = new Map(rows.map((row) => [row.ID, row]));
      expect(byId.get('alpha')).toMatchObject({ STATUS: '● active', CAUSE: '', MESSAGE: 'alpha ok' });
      expect(byId.get('alpha')?.LATENCY).toMatch(LATENCY);
      expect(byId.get('probe')).toMatchObject({ STATUS: '● active', CAUSE: '', MESSAGE: '200 OK' });
      expect(byId.get('probe')?.LATENCY).toMatch(LATENCY);
      expect(byId.get('mailer')).toEqual({
        ID: 'mailer',
        STATUS: '○ inactive',
        LATENCY: '-',
        CAUSE: '',
        MESSAGE: 'not configured: apiKey is required',
      });
      expect(byId.get('process')?.STATUS).toBe('● active');
      expect(io.out()).toMatch(/\n\n5 services: 4 active, 1 inactive\.\n$/);
      expect(endpoint?.hits()).toBe(1);
      // One-off: its own start and stop are not logged at the default level.
      expect(io.err()).toBe('');
    },
  );

  it.skipIf(skip)(
    'GIVEN a service whose check finds an error THEN it shows its message and exits 3',
    async () => {
      const { io, url } = await setUp(503, 'database down');
      expect(await servicedeck(io, url, 'health')).toBe(3);
      const probe = parseTable(io.out()).find((row) => row.ID === 'probe');
      expect(probe).toMatchObject({ STATUS: '✖ error', CAUSE: '', MESSAGE: '503 database down' });
      expect(probe?.LATENCY).toMatch(LATENCY);
      expect(io.out()).toContain('5 services: 3 active, 1 inactive, 1 error.');
    },
  );

  it.skipIf(skip)(
    'GIVEN one id THEN only that service is checked; GIVEN an unknown id THEN it says so and exits 1',
    async () => {
      const { io, url } = await setUp(503, 'database down');
      expect(await servicedeck(io, url, 'health', 'probe')).toBe(3);
      expect(parseTable(io.out()).map((row) => [row.ID, row.STATUS, row.MESSAGE])).toEqual([
        ['probe', '✖ error', '503 database down'],
      ]);

      const other = captureIo(io.cwd, io.env);
      expect(await servicedeck(other, url, 'health', 'nope')).toBe(1);
      expect(other.out()).toBe('');
      expect(other.err()).toContain('error SD_ERR_SERVICE_NOT_FOUND: No service "nope" in the catalog.');
    },
  );

  it.skipIf(skip)('GIVEN --json THEN it prints an array of results in the documented shape', async () => {
    const { io, url } = await setUp(503, 'database down');
    expect(await servicedeck(io, url, 'health', '--json')).toBe(3);
    const rows = JSON.parse(io.out()) as HealthRow[];
    expect(rows.map((row) => row.serviceId)).toEqual(['alpha', 'beta', 'mailer', 'probe', 'process']);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'serviceId',
        'status',
        'checked',
        'latencyMs',
        'message',
        'cause',
        'checkedAt',
        'details',
      ]);
    }
    const byId = new Map(rows.map((row) => [row.serviceId, row]));
    expect(byId.get('probe')).toEqual({
      serviceId: 'probe',
      status: 'error',
      checked: true,
      latencyMs: expect.any(Number),
      message: '503 database down',
      cause: null,
      checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      details: null,
    });
    expect(byId.get('mailer')).toEqual({
      serviceId: 'mailer',
      status: 'inactive',
      checked: false,
      latencyMs: null,
      message: 'not configured: apiKey is required',
      cause: null,
      checkedAt: null,
      details: null,
    });
    expect(byId.get('process')).toMatchObject({ status: 'active', details: expect.any(Object) });
  });

  it.skipIf(skip)(
    'GIVEN checks that take a while on a terminal THEN stderr shows the progress line, then clears it',
    async () => {
      const { io, url } = await setUp(200, 'OK');
      Object.assign(io.stderr, { isTTY: true });
      const release = endpoint?.hold() ?? (() => undefined);
      const context = await createContext({ database: url, logFormat: 'json' }, io, { logLevel: 'warn' });
      const running = health(context, undefined, { progressAfterMs: 0 });
      // Every check but the probe's (held by its endpoint) has finished.
      await expect.poll(() => io.err(), { timeout: 15_000 }).toContain('checking… 4/5');
      release();
      expect(await running).toBe(0);
      // A spinner frame, the label and the count; then the line is erased.
      const clear = `\r${String.fromCharCode(27)}[2K`;
      expect(io.err().endsWith(`${clear}`)).toBe(true);
      expect(io.err().slice(0, -clear.length).split(clear).at(-1)).toMatch(/^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] checking… 5\/5$/);
      expect(parseTable(io.out()).find((row) => row.ID === 'probe')?.STATUS).toBe('● active');
    },
  );
});
