import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../tests/support/databases.js';
import { EventJournal } from '../src/index.js';
import { startWeb } from './support/web.js';

interface Received {
  id: string | undefined;
  event: string;
  data: Record<string, unknown>;
}

/** A Server-Sent Events client over fetch: collects events as they arrive. */
async function connect(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: Received[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(
            frame
              .split('\n')
              .filter((line) => !line.startsWith(':') && line.includes(': '))
              .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
          );
          if (fields.event) {
            events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? '{}') });
          }
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted.
    }
  })();
  return {
    response,
    events,
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe.each(DIALECTS)('live events on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);

  it.skipIf(skip)(
    'GIVEN a client following the stream THEN status changes, checks, toggles and audit entries arrive; a reconnect with Last-Event-ID gets exactly what it missed',
    async () => {
      const w = await startWeb(dialect, { port: 0 }, undefined, { sync: true });
      const url = `${await w.web.listen()}/api/events`;
      const { token } = await w.token('manage');
      const auth = { authorization: `Bearer ${token}` };
      const first = await connect(url, auth);
      expect(first.response.status).toBe(200);
      expect(first.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');

      (w.services.github as { healthy: boolean }).healthy = false;
      await w.manager.checkHealth('github', { fresh: true });
      await w.manager.disableService('digest', { actor: 'alice', adapter: 'cli' });
      await expect
        .poll(() => first.events.map((e) => e.event), { timeout: 5_000 })
        .toEqual(expect.arrayContaining(['check', 'status', 'change', 'audit']));
      expect(first.events.find((e) => e.event === 'status')?.data).toMatchObject({
        serviceId: 'github',
        from: 'unknown',
        to: 'error',
      });
      expect(first.events.find((e) => e.event === 'change')?.data).toMatchObject({
        kind: 'state',
        serviceId: 'digest',
        enabled: false,
        service: { id: 'digest', enabled: false, status: 'inactive', statusMessage: 'disabled' },
      });
      await expect
        .poll(() => first.events.find((e) => e.event === 'audit' && e.data.action === 'disable')?.data)
        .toMatchObject({ action: 'disable', serviceId: 'digest', actor: 'alice', adapter: 'cli' });
      const lastSeen = first.events.at(-1)?.id as string;
      await first.close();

      // Missed while disconnected:
      await w.manager.enableService('digest', { actor: 'bob', adapter: 'discord' });
      await expect
        .poll(() => w.web.journal.lastId() !== lastSeen && w.web.journal.connected === 0)
        .toBe(true);
      await expect
        .poll(() => (w.web.journal.since(lastSeen) ?? []).some((e) => e.type === 'audit'), { timeout: 5_000 })
        .toBe(true);
      const missed = (w.web.journal.since(lastSeen) ?? []).map((e) => e.id);

      const second = await connect(url, { ...auth, 'last-event-id': lastSeen });
      await expect.poll(() => second.events.length).toBeGreaterThanOrEqual(missed.length);
      expect(second.events.slice(0, missed.length).map((e) => e.id)).toEqual(missed);
      expect(second.events.some((e) => e.event === 'change' && e.data.enabled === true)).toBe(true);
      await second.close();

      // An id of another run (a restarted server) or one no longer kept: reset first.
      const stale = await connect(`${url}?lastEventId=00000000-5&types=status`, auth);
      await expect.poll(() => stale.events[0]?.event).toBe('reset');
      await stale.close();
    },
  );

  it.skipIf(skip)('GIVEN no credentials THEN the stream is refused with 401', async () => {
    const w = await startWeb(dialect);
    const response = await w.request('GET', '/api/events');
    expect(response.statusCode).toBe(401);
  });
});

describe('EventJournal', () => {
  it('GIVEN more events than it keeps THEN an id older than the ring is a gap, and newer ones replay', async () => {
    const w = await startWeb('sqlite');
    const journal = new EventJournal(w.manager, { capacity: 3, logger: w.web.app.log as never });
    const ids = [1, 2, 3, 4, 5].map((n) => journal.publish('check', { n }).id);
    expect(journal.since(ids[0] as string)).toBeUndefined();
    expect(journal.since(ids[1] as string)?.map((e) => e.data.n)).toEqual([3, 4, 5]);
    expect(journal.since(ids[4] as string)).toEqual([]);
    expect(journal.since('garbage')).toBeUndefined();
    expect(journal.since(`${journal.run}-99`)).toBeUndefined();
  });
});

describe('EventJournal and the audit log', async () => {
  const skip = await shouldSkip('postgres');

  it.skipIf(skip)(
    'GIVEN two audit entries committed out of id order (two processes at once) THEN the journal publishes both',
    async () => {
      const w = await startWeb('postgres');
      const seen: string[] = [];
      const journal = new EventJournal(w.manager, {
        logger: w.web.app.log as never,
        auditPollMs: 60_000,
        onAudit: (entry) => seen.push(entry.action),
      });
      await journal.start();
      const { audit } = w.manager.database.repos;
      const row = (action: string) => ({
        actor: 'test',
        adapter: 'test',
        action,
        serviceId: null,
        result: 'ok',
        details: {},
        instanceId: 'elsewhere',
      });
      // The first transaction takes the lower id but commits after the second.
      const slow = await w.manager.database.sequelize.transaction();
      await audit.create(row('first'), { transaction: slow });
      await audit.create(row('second'));
      await journal.readAudit();
      expect(seen).toEqual(['second']);
      await slow.commit();
      await journal.readAudit();
      expect(seen).toEqual(['second', 'first']);
      await journal.readAudit();
      expect(seen).toEqual(['second', 'first']);
      await journal.stop();
    },
  );
});
