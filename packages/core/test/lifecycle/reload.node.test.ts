/**
 * Reloads under plain Node, as a bot runs them: the test runner loads modules its own way, so the loader
 * hooks that decide which modules a reload loads afresh are exercised in a child process running the
 * built core.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `script` (an ES module) with Node in `cwd` and returns what it printed as JSON. */
function runNode(cwd: string, script: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>);
      },
    );
  });
}

/** The service class body every module below shares. */
const SERVICE_BODY = `
  healthCheck() { return 'active'; }
  getMetadata() { return SERVICE_METADATA; }
  enable() {}
  disable() {}
  getConfig() { return {}; }
  updateConfig() {}`;

/** A script that starts a manager on `globs`, runs `steps` (with `m` the manager), prints `out`. */
function script(globs: string[], steps: string): string {
  return `
import { ServiceRegistryManager } from '@servicedeck/core';
import { readFileSync, writeFileSync } from 'node:fs';
const m = new ServiceRegistryManager({
  database: { url: 'sqlite:' + process.cwd() + '/servicedeck.db' },
  discovery: { root: process.cwd(), serviceGlobs: ${JSON.stringify(globs)} },
  processHealth: false, health: { schedule: false }, sync: { enabled: false },
});
await m.start();
const actor = { actor: 'test', adapter: 'test' };
const out = {};
${steps}
await m.shutdown();
console.log(JSON.stringify(out));
`;
}

describe('reload under plain Node', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function host(files: Record<string, string>): Promise<string> {
    root = await mkdtemp(path.join(tmpdir(), 'servicedeck-reload-node-'));
    await mkdir(path.join(root, 'node_modules', '@servicedeck'), { recursive: true });
    await symlink(CORE, path.join(root, 'node_modules', '@servicedeck', 'core'), 'dir');
    await writeFile(path.join(root, 'package.json'), JSON.stringify({ name: 'bot', type: 'module' }));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, name)), { recursive: true });
      await writeFile(path.join(root, name), text);
    }
    return root;
  }

  it("GIVEN a bot's service file THEN a reload loads its directory's helpers afresh and shares the bot's other modules", async () => {
    const cwd = await host({
      'lib/shared.js': 'export const registry = new Map();\n',
      'services/helper.js': "export const greeting = 'one';\n",
      'services/greeter.service.js': `import { greeting } from './helper.js';
import { registry } from '../lib/shared.js';
export const SERVICE_METADATA = { id: 'greeter', name: 'Greeter', type: 'internal', version: '1.0.0' };
export default class Greeter {${SERVICE_BODY}
  greet() { return greeting; }
  registry() { return registry; }
}
`,
    });
    const out = await runNode(
      cwd,
      script(
        ['services/*.service.js'],
        `
const { registry } = await import(process.cwd() + '/lib/shared.js');
out.before = m.getService('greeter').greet();
writeFileSync('services/helper.js', "export const greeting = 'two';\\n");
const result = await m.reloadService('greeter', actor);
out.result = result.result;
out.after = m.getService('greeter').greet();
out.sameShared = m.getService('greeter').registry() === registry;
writeFileSync('services/helper.js', "export const greeting = ;\\n");
const broken = await m.reloadService('greeter', actor);
out.broken = [broken.result, broken.stage, broken.error?.reason];
out.stillServing = m.getService('greeter').greet();
`,
      ),
    );
    expect(out).toMatchObject({
      before: 'one',
      result: 'ok',
      after: 'two',
      sameShared: true,
      stillServing: 'two',
    });
    const [result, stage, reason] = out.broken as [string, string, string];
    expect([result, stage]).toEqual(['failed', 'load']);
    expect(reason).toContain(
      `${path.join(cwd, 'services', 'helper.js')}:1 (SyntaxError: Unexpected token ';')`,
    );
  });

  it("GIVEN a plugin package THEN a reload loads every module of the package afresh, and a CommonJS service's new code is used too", async () => {
    const cwd = await host({
      'node_modules/sd-plugin-echo/package.json': JSON.stringify({
        name: 'sd-plugin-echo',
        version: '1.0.0',
        type: 'module',
        servicedeck: { services: ['dist/**/*.service.js', 'dist/**/*.service.cjs'] },
      }),
      'node_modules/sd-plugin-echo/dist/lib/words.js': "export const word = 'alpha';\n",
      'node_modules/sd-plugin-echo/dist/services/echo.service.js': `import { word } from '../lib/words.js';
export const SERVICE_METADATA = { id: 'echo', name: 'Echo', type: 'internal' };
export default class Echo {${SERVICE_BODY}
  greet() { return word; }
}
`,
      'node_modules/sd-plugin-echo/dist/services/legacy.service.cjs': `const SERVICE_METADATA = { id: 'legacy', name: 'Legacy', type: 'internal' };
class Legacy {${SERVICE_BODY}
  greet() { return 'old'; }
}
module.exports = Legacy;
module.exports.SERVICE_METADATA = SERVICE_METADATA;
`,
    });
    await writeFile(
      path.join(cwd, 'package.json'),
      JSON.stringify({ name: 'bot', type: 'module', dependencies: { 'sd-plugin-echo': '1.0.0' } }),
    );
    const dist = 'node_modules/sd-plugin-echo/dist';
    const out = await runNode(
      cwd,
      script(
        [],
        `
out.before = [m.getService('echo').greet(), m.getService('legacy').greet()];
writeFileSync('${dist}/lib/words.js', "export const word = 'beta';\\n");
writeFileSync('${dist}/services/legacy.service.cjs', readFileSync('${dist}/services/legacy.service.cjs', 'utf8').replace("'old'", "'new'"));
out.results = [(await m.reloadService('echo', actor)).result, (await m.reloadService('legacy', actor)).result];
out.after = [m.getService('echo').greet(), m.getService('legacy').greet()];
`,
      ),
    );
    expect(out).toMatchObject({ before: ['alpha', 'old'], results: ['ok', 'ok'], after: ['beta', 'new'] });
  });
});
