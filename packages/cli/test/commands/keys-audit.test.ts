import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { keyId } from '@servicedeck/core';
import { describe, expect, it } from 'vitest';
import { DIALECTS, shouldSkip } from '../../../../tests/support/databases.js';
import type { AuditRow } from '../../src/output/audit.js';
import type { ConfigJson } from '../../src/output/config.js';
import { type Deck, liveConfig, useDeck } from '../support/deck.js';
import { parseTable } from '../support/table.js';

const SECRET = 'rotate-me-Plaintext-Secret-9';

async function storeSecret(d: Deck, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const { code } = await d.run(
    ['config', 'set', 'notifier', 'endpoint=https://hooks.example/a', 'token', '--stdin'],
    {
      stdin: SECRET,
      env,
    },
  );
  expect(code).toBe(0);
}

async function keyFile(d: Deck): Promise<{ current: string; keys: Record<string, string> }> {
  return JSON.parse(await readFile(path.join(d.root, '.servicedeck', 'master.key'), 'utf8'));
}

describe.each(DIALECTS)('servicedeck keys rotate and audit on %s', async (dialect) => {
  const skip = await shouldSkip(dialect);
  const deck = useDeck(dialect);
  const me = userInfo().username;

  it.skipIf(skip)(
    'GIVEN a key file and stored secrets THEN keys rotate saves a new key, re-encrypts every secret, and they still read',
    async () => {
      const d = await deck();
      await storeSecret(d);
      await d.run(['config', 'set', 'notifier', 'retries=2']);
      const before = await keyFile(d);

      const { code, out, err } = await d.run(['keys', 'rotate']);
      expect(code).toBe(0);
      expect(err).toBe('');
      const after = await keyFile(d);
      expect(after.current).not.toBe(before.current);
      expect(Object.keys(after.keys)).toEqual([after.current]);
      expect(out).toBe(
        `Master key rotated: new key ${after.current}; 3 secret values re-encrypted (current settings and history).\n` +
          `The key file ${path.join(d.root, '.servicedeck', 'master.key')} holds the new key only: back it up (not with the database).\n`,
      );

      const view = await d.run(['config', 'get', 'notifier', '--json']);
      expect(view.code).toBe(0);
      expect((JSON.parse(view.out) as ConfigJson).fields.find((f) => f.key === 'token')?.value).toBe(
        '••••••',
      );
      expect(await liveConfig(d, 'notifier')).toMatchObject({ token: SECRET, retries: 2 });

      const [entry] = JSON.parse(
        (await d.run(['audit', '--action', 'keys.rotate', '--json'])).out,
      ) as AuditRow[];
      expect(entry).toMatchObject({
        actor: me,
        adapter: 'cli',
        action: 'keys.rotate',
        serviceId: null,
        result: 'ok',
        details: { fromKey: before.current, toKey: after.current, reencrypted: 3 },
      });
      expect(d.printed()).not.toContain(SECRET);
    },
  );

  it.skipIf(skip)(
    'GIVEN SERVICEDECK_MASTER_KEY THEN keys rotate needs --new-key-stdin, checks the key, and re-encrypts with it',
    async () => {
      const d = await deck();
      const oldKey = randomBytes(32).toString('base64');
      const newKey = randomBytes(32).toString('base64');
      await storeSecret(d, { SERVICEDECK_MASTER_KEY: oldKey });

      const without = await d.run(['keys', 'rotate'], { env: { SERVICEDECK_MASTER_KEY: oldKey } });
      expect(without.code).toBe(2);
      expect(without.err).toBe(
        `error: The master key comes from SERVICEDECK_MASTER_KEY, so the new key must be given: printf '%s' "$NEW_KEY" | servicedeck keys rotate --new-key-stdin. Nothing was changed.\n`,
      );
      const bad = await d.run(['keys', 'rotate', '--new-key-stdin'], {
        env: { SERVICEDECK_MASTER_KEY: oldKey },
        stdin: 'not-a-key\n',
      });
      expect(bad.code).toBe(2);
      expect(bad.err).toContain(
        'error: The new key on standard input is not a master key: it must be 32 random bytes',
      );
      expect(JSON.parse((await d.run(['audit', '--action', 'keys.rotate', '--json'])).out)).toEqual([]);

      const { code, out } = await d.run(['keys', 'rotate', '--new-key-stdin'], {
        env: { SERVICEDECK_MASTER_KEY: oldKey },
        stdin: `${newKey}\n`,
      });
      expect(code).toBe(0);
      const id = await keyId(new Uint8Array(Buffer.from(newKey, 'base64')));
      expect(out.split('\n')[0]).toBe(
        `Master key rotated: new key ${id}; 2 secret values re-encrypted (current settings and history).`,
      );
      expect(out).toContain('Now set SERVICEDECK_MASTER_KEY to the new key in every process');

      expect(
        (await d.run(['config', 'get', 'notifier'], { env: { SERVICEDECK_MASTER_KEY: newKey } })).code,
      ).toBe(0);
      expect(await liveConfig(d, 'notifier', { SERVICEDECK_MASTER_KEY: newKey })).toMatchObject({
        token: SECRET,
      });
      const old = await d.run(['config', 'get', 'notifier'], { env: { SERVICEDECK_MASTER_KEY: oldKey } });
      expect(old.code).toBe(1);
      expect(old.err).toContain(
        `error SD_ERR_SECRET_KEY_MISSING: A secret was encrypted with master key ${id}`,
      );
      for (const text of [SECRET, oldKey, newKey]) expect(d.printed()).not.toContain(text);
    },
  );

  it.skipIf(skip)(
    'GIVEN management actions THEN audit lists them newest first with the OS user via cli, filtered by service, action and limit',
    async () => {
      const d = await deck();
      await d.run(['disable', 'mailer']);
      await storeSecret(d);
      await d.run(['config', 'set', 'notifier', 'retries=50']);

      const { code, out, err } = await d.run(['audit']);
      expect(code).toBe(0);
      expect(err).toBe('');
      const rows = parseTable(out, 'WHEN');
      expect(rows.map((row) => [row.BY, row.ACTION, row.SERVICE, row.RESULT, row.DETAILS])).toEqual([
        [`${me} via cli`, 'config.update', 'notifier', 'failed', 'reason: invalid: /retries: must be <= 10'],
        [
          `${me} via cli`,
          'config.update',
          'notifier',
          'ok',
          'v0 → v1, endpoint: (unset) → https://hooks.example/a; token: (unset) → ••••••',
        ],
        [`${me} via cli`, 'disable', 'mailer', 'ok', 'recorded for the running processes to apply'],
      ]);
      expect(rows[0]?.WHEN).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      const filtered = JSON.parse(
        (await d.run(['audit', 'notifier', '--action', 'config.update', '--limit', '1', '--json'])).out,
      ) as AuditRow[];
      expect(filtered).toHaveLength(1);
      expect(Object.keys(filtered[0] ?? {})).toEqual([
        'id',
        'at',
        'actor',
        'adapter',
        'origin',
        'action',
        'serviceId',
        'result',
        'details',
        'instanceId',
      ]);
      expect(filtered[0]).toEqual({
        id: expect.any(Number),
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        actor: me,
        adapter: 'cli',
        origin: null,
        action: 'config.update',
        serviceId: 'notifier',
        result: 'failed',
        details: { reason: 'invalid: /retries: must be <= 10' },
        instanceId: expect.any(String),
      });
      expect((await d.run(['audit', 'mailer', '--action', 'enable'])).out).toBe('No audit entries match.\n');
      expect(d.printed()).not.toContain(SECRET);
    },
  );
});
