// @ts-check
/**
 * Runs the benchmarks one after another, each in its own Node process: every `*.bench.mjs` in this
 * directory, or only the ones named on the command line (`node run.mjs is-enabled`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((file) => file.endsWith('.bench.mjs'))
  .sort();

const wanted = process.argv.slice(2);
const unknown = wanted.filter(
  (name) => !available.includes(`${path.basename(name, '.bench.mjs')}.bench.mjs`),
);
if (unknown.length > 0) {
  console.error(
    `Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.map((f) => f.replace('.bench.mjs', '')).join(', ')}.`,
  );
  process.exit(2);
}
const selected =
  wanted.length > 0 ? wanted.map((name) => `${path.basename(name, '.bench.mjs')}.bench.mjs`) : available;

// The benchmarks measure the built core (packages/core/dist), not its sources.
const coreEntry = fileURLToPath(import.meta.resolve('@servicedeck/core'));
if (!existsSync(coreEntry)) {
  console.error(`${coreEntry} does not exist: build core first (pnpm --filter @servicedeck/core build).`);
  process.exit(1);
}
const sources = path.resolve(path.dirname(coreEntry), '../src');
const newestSource = existsSync(sources)
  ? Math.max(
      ...readdirSync(sources, { recursive: true, encoding: 'utf8' }).map(
        (file) => statSync(path.join(sources, file)).mtimeMs,
      ),
    )
  : 0;
if (newestSource > statSync(coreEntry).mtimeMs) {
  console.warn(`warning: ${sources} changed after the last build; the figures are for the older build.`);
}

/**
 * Runs one benchmark file in a child process with inherited output.
 *
 * @param {string} file
 * @returns {Promise<number>} the exit code.
 */
function runOne(file) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(here, file)], { cwd: here, stdio: 'inherit' });
    proc.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const failed = [];
for (const file of selected) {
  console.log(`\n=== ${file}`);
  const started = performance.now();
  const code = await runOne(file);
  console.log(
    `=== ${file}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (code !== 0) failed.push(file);
}
if (failed.length > 0) {
  console.error(`\n${failed.length} benchmark(s) failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
