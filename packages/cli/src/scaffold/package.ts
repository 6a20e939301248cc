/**
 * The package files of a generated plugin: package.json with the servicedeck marker, the TypeScript
 * configurations, .gitignore.
 */
import type { PluginSpec, ScaffoldFile } from './spec.js';
import {
  CORE_RANGE,
  INITIAL_PLUGIN_VERSION,
  NODE_ENGINE,
  TYPES_NODE_RANGE,
  TYPESCRIPT_RANGE,
} from './versions.js';

/** The glob of compiled service files in the marker. */
export const SERVICE_GLOB = 'dist/**/*.service.js';

/** The commands of the generated package's scripts. */
export const SCRIPTS = {
  build: 'tsc -p tsconfig.build.json',
  typecheck: 'tsc -p tsconfig.json',
  test: 'tsc -p tsconfig.build.json && node --test test/*.test.mjs',
  prepack: 'tsc -p tsconfig.build.json',
} as const;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** package.json: ESM, the marker, core as a peer dependency, build and test scripts. */
export function packageJson(spec: PluginSpec): ScaffoldFile {
  return {
    path: 'package.json',
    content: json({
      name: spec.packageName,
      version: INITIAL_PLUGIN_VERSION,
      description: spec.description,
      keywords: ['servicedeck', 'servicedeck-plugin'],
      type: 'module',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './package.json': './package.json',
      },
      files: ['dist', 'README.md'],
      servicedeck: { services: [SERVICE_GLOB] },
      engines: { node: NODE_ENGINE },
      scripts: SCRIPTS,
      peerDependencies: { '@servicedeck/core': CORE_RANGE },
      devDependencies: {
        '@servicedeck/core': CORE_RANGE,
        '@types/node': TYPES_NODE_RANGE,
        typescript: TYPESCRIPT_RANGE,
      },
    }),
  };
}

/** tsconfig.json (type-checks the sources) and tsconfig.build.json (compiles them to dist). */
export function tsconfigs(): ScaffoldFile[] {
  return [
    {
      path: 'tsconfig.json',
      content: `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "rootDir": "src",
    "outDir": "dist",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "isolatedModules": true,
    "declaration": true,
    "sourceMap": true,
    "skipLibCheck": true,
    "forceConsistentCasingInFileNames": true,
    "types": ["node"],
    "noEmit": true
  },
  "include": ["src"]
}
`,
    },
    {
      path: 'tsconfig.build.json',
      content: `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false, "declarationMap": true },
  "include": ["src"]
}
`,
    },
  ];
}

/** .gitignore: installed and built files. */
export function gitignore(): ScaffoldFile {
  return { path: '.gitignore', content: 'node_modules/\ndist/\n*.tgz\n' };
}
