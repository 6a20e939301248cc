// @ts-check
/**
 * `servicedeck list` on a catalog of 200 services: the whole command, from starting Node to the last line
 * printed, as a user runs it (target: under 300 ms on this machine). For comparison, in the same run:
 * `list --json`, `status <id>` (which discovers the 200 plugin packages and opens the registry), and a
 * bare `node -e 0` (the floor every command pays).
 *
 *   node cli-list.bench.mjs
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writePluginHost } from './lib/plugin-host.mjs';
import { report } from './lib/report.mjs';
import { percentile, round, summarize } from './lib/stats.mjs';

const SERVICES = 200;
const WARMUP_RUNS = 2;
const RUNS = 15;
const TARGET_MS = 300;

const CLI = fileURLToPath(new URL('../packages/cli/bin/servicedeck.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./lib/startup-child.mjs', import.meta.url));
const run = promisify(execFile);

/**
 * Wall-clock milliseconds of one command in a fresh process, with its output checked.
 *
 * @param {string[]} args
 * @param {string} cwd
 * @param {(stdout: string) => boolean} ok
 */
async function timed(args, cwd, ok) {
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, {
    cwd,
    maxBuffer: 16 * 2 ** 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ms = performance.now() - started;
  if (!ok(stdout)) throw new Error(`unexpected output of ${args.join(' ')}:\n${stdout.slice(0, 500)}`);
  return ms;
}

const host = await mkdtemp(path.join(tmpdir(), 'sd-bench-cli-list-'));
try {
  await writePluginHost(host, SERVICES);
  const db = path.join(host, 'servicedeck.db');
  // The bot's start records the catalog once; the commands then read it.
  await run(process.execPath, [CHILD, 'start', host, db], { maxBuffer: 16 * 2 ** 20 });
  const database = ['--database', `sqlite:${db}`];
  const commands = [
    {
      name: 'servicedeck list',
      args: [CLI, ...database, 'list'],
      ok: (/** @type {string} */ out) =>
        out.split('\n').filter((line) => line.startsWith('bench-plugin-')).length === SERVICES,
    },
    {
      name: 'servicedeck list --json',
      args: [CLI, ...database, 'list', '--json'],
      ok: (/** @type {string} */ out) => JSON.parse(out).length === SERVICES + 1,
    },
    {
      name: 'servicedeck status bench-plugin-0',
      args: [CLI, ...database, 'status', 'bench-plugin-0'],
      ok: (/** @type {string} */ out) => out.includes('bench-plugin-0'),
    },
    { name: 'node -e 0 (floor)', args: ['-e', '0'], ok: () => true },
  ];
  /** @type {Record<string, number[]>} */
  const times = Object.fromEntries(commands.map((c) => [c.name, []]));
  for (let i = 0; i < WARMUP_RUNS + RUNS; i++) {
    // Interleaved, so a slow moment of the machine affects every command alike.
    for (const command of commands) {
      const ms = await timed(command.args, host, command.ok);
      if (i >= WARMUP_RUNS) times[command.name]?.push(ms);
    }
    process.stdout.write(i < WARMUP_RUNS ? 'w' : '.');
  }
  process.stdout.write('\n');
  const listMedian = summarize(times['servicedeck list'] ?? []).median;
  const rows = commands.map((command) => {
    const ms = times[command.name] ?? [];
    const { median, min, max } = summarize(ms);
    return {
      command: command.name,
      medianMs: round(median),
      p95Ms: round(percentile(ms, 95)),
      minMs: round(min),
      maxMs: round(max),
      vsList: round(median / listMedian, 2),
    };
  });
  const list = /** @type {{ medianMs: number, p95Ms: number }} */ (rows[0]);
  await report({
    name: 'cli-list',
    title: `servicedeck commands on a catalog of ${SERVICES} services (+ the built-in process service), ${RUNS} runs each after ${WARMUP_RUNS} warm-up, fresh processes`,
    rows,
    columns: {
      command: 'command',
      medianMs: 'median ms',
      p95Ms: 'p95 ms',
      minMs: 'min ms',
      maxMs: 'max ms',
      vsList: '× list',
    },
    params: { services: SERVICES, runs: RUNS, warmupRuns: WARMUP_RUNS, targetMs: TARGET_MS },
    notes: [
      `Target: list under ${TARGET_MS} ms. Median ${list.medianMs} ms, p95 ${list.p95Ms} ms: ${list.p95Ms < TARGET_MS ? 'met' : 'MISSED'}.`,
      'list reads the catalog with the bare SQLite driver; status discovers every plugin package first.',
    ],
  });
} finally {
  await rm(host, { recursive: true, force: true });
}
