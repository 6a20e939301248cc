// @ts-check
/**
 * The output every benchmark shares: an aligned table on stdout, and the same figures as JSON in
 * `bench/results/<name>.json` together with where they were measured (date, Node version, CPUs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** @typedef {Record<string, unknown>} Row One line of a table; numbers are right-aligned. */

/** Where results are written (git-ignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * Digits after the decimal point of a number as written (at most 3).
 *
 * @param {number} value
 */
function decimalsOf(value) {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot < 0 || text.includes('e') ? 0 : Math.min(3, text.length - dot - 1);
}

/**
 * Formats rows as a text table. Numbers are right-aligned with thousands separators, and every number of
 * a column gets as many decimals as the most precise one; `null` and `undefined` print as empty cells.
 *
 * @param {readonly Row[]} rows
 * @param {Readonly<Record<string, string>>} [columns] - the keys to show and their headings (default:
 *   every key of the rows, as its own heading).
 * @returns {string}
 */
export function formatTable(rows, columns) {
  const headings =
    columns ?? Object.fromEntries([...new Set(rows.flatMap(Object.keys))].map((key) => [key, key]));
  const keys = Object.keys(headings);
  const numeric = keys.map((key) => rows.every((row) => row[key] == null || typeof row[key] === 'number'));
  const decimals = keys.map((key) =>
    Math.max(0, ...rows.map((row) => (typeof row[key] === 'number' ? decimalsOf(row[key]) : 0))),
  );
  const cells = rows.map((row) =>
    keys.map((key, i) => {
      const value = row[key];
      if (value == null) return '';
      if (typeof value !== 'number') return typeof value === 'object' ? JSON.stringify(value) : String(value);
      const digits = /** @type {number} */ (decimals[i]);
      return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    }),
  );
  const titles = keys.map((key) => /** @type {string} */ (headings[key]));
  const widths = keys.map((_, i) =>
    Math.max(/** @type {string} */ (titles[i]).length, ...cells.map((c) => c[i]?.length ?? 0)),
  );
  /** @param {readonly string[]} values */
  const line = (values) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i] ?? 0) : value.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(titles), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)].join('\n');
}

/**
 * Prints a benchmark's table and writes its figures to `bench/results/<name>.json`.
 *
 * @param {object} result
 * @param {string} result.name - the benchmark's name; the JSON file is named after it.
 * @param {string} result.title - printed above the table.
 * @param {Row[]} result.rows - the figures, one object per line.
 * @param {Readonly<Record<string, string>>} [result.columns] - which keys the table shows, and their headings.
 * @param {Record<string, unknown>} [result.params] - the settings of the run, stored with the figures.
 * @param {readonly string[]} [result.notes] - lines printed under the table.
 * @returns {Promise<string>} the path of the JSON file.
 */
export async function report({ name, title, rows, columns, params = {}, notes = [] }) {
  console.log(`\n${title}\n`);
  console.log(formatTable(rows, columns));
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
  const cpus = os.cpus();
  const data = {
    name,
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    totalMemoryMB: Math.round(os.totalmem() / 2 ** 20),
    params,
    rows,
  };
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeFile(file, `${JSON.stringify(data, null, 2)}\n`);
  console.log(`\nfigures written to ${path.relative(process.cwd(), file) || file}`);
  return file;
}
