#!/usr/bin/env node
/**
 * Builds the web UI (`ui/`) into `dist/ui/`: `index.html` and `assets/app.js`, `assets/app.css` (minified,
 * with source maps, ES2022) plus the icons. Type-checks `ui/` first (skip with `--no-typecheck`). The
 * output depends only on the sources: no timestamps, stable file names; index.html refers to the assets
 * with a content hash (`/assets/app.js?v=…`) so browsers never run a stale app after an upgrade.
 *
 * Usage: node scripts/build-ui.mjs [--no-typecheck]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const uiDir = path.join(packageDir, 'ui');
const outDir = path.join(packageDir, 'dist', 'ui');
const assetsDir = path.join(outDir, 'assets');
const require = createRequire(import.meta.url);

const say = (text) => process.stdout.write(`build-ui: ${text}\n`);
const fail = (text) => {
  process.stderr.write(`build-ui: ${text}\n`);
  process.exit(1);
};

function typecheck() {
  let tsc;
  try {
    tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
  } catch {
    fail(
      'TypeScript is not installed (it is a devDependency of @servicedeck/web-adapter): run pnpm install.',
    );
  }
  const result = spawnSync(
    process.execPath,
    [tsc, '-p', path.join(uiDir, 'tsconfig.json'), '--pretty', 'false'],
    {
      cwd: packageDir,
      encoding: 'utf8',
    },
  );
  if (result.error) fail(`could not run the type checker: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    fail(`the web UI has type errors (tsc -p ui/tsconfig.json):\n${output}\nFix them and build again.`);
  }
}

async function bundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    fail('esbuild is not installed (it is a devDependency of @servicedeck/web-adapter): run pnpm install.');
  }
  try {
    const result = await esbuild.build({
      absWorkingDir: packageDir,
      entryPoints: [
        { in: 'ui/src/main.ts', out: 'app' },
        { in: 'ui/styles.css', out: 'app' },
      ],
      outdir: assetsDir,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      sourcemap: 'linked',
      sourcesContent: true,
      legalComments: 'none',
      charset: 'utf8',
      metafile: false,
      write: true,
      logLevel: 'silent',
      tsconfig: 'ui/tsconfig.json',
    });
    for (const warning of result.warnings) {
      process.stderr.write(
        `build-ui: warning: ${warning.text}${warning.location ? ` (${warning.location.file}:${warning.location.line})` : ''}\n`,
      );
    }
  } catch (error) {
    const errors = Array.isArray(error?.errors) ? error.errors : [];
    const lines = errors.map(
      (e) => `  ${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`,
    );
    fail(`esbuild could not bundle the web UI:\n${lines.join('\n') || String(error)}`);
  }
}

async function hashOf(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
    .slice(0, 12);
}

async function main() {
  const skipTypecheck = process.argv.includes('--no-typecheck');
  if (!skipTypecheck) typecheck();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(assetsDir, { recursive: true });
  await bundle();

  // Icons (SVG) next to the app.
  for (const entry of (await readdir(uiDir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.isFile() && entry.name.endsWith('.svg')) {
      await copyFile(path.join(uiDir, entry.name), path.join(assetsDir, entry.name));
    }
  }

  let html = await readFile(path.join(uiDir, 'index.html'), 'utf8');
  for (const asset of ['app.js', 'app.css']) {
    const reference = `/assets/${asset}`;
    if (!html.includes(`"${reference}"`)) fail(`ui/index.html does not refer to ${reference}.`);
    html = html.replace(`"${reference}"`, `"${reference}?v=${await hashOf(path.join(assetsDir, asset))}"`);
  }
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /\sstyle=/i.test(html)) {
    fail('ui/index.html has an inline script or style, which the Content-Security-Policy blocks.');
  }
  await writeFile(path.join(outDir, 'index.html'), html);

  const files = (await readdir(assetsDir)).sort();
  say(
    `built ${path.relative(process.cwd(), outDir) || '.'}: index.html, ${files.map((f) => `assets/${f}`).join(', ')}`,
  );
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
