import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the `@servicedeck/source` export condition), compiled by SWC
// because esbuild does not emit decorator metadata, which tsyringe and sequelize-typescript need.
const source = '@servicedeck/source';
// Vite's own defaults, which a `conditions` setting replaces — without `module` on the server side: it is a
// bundlers' condition, and packages such as @opentelemetry/api point it at builds Node cannot load.
const defaultServerConditions = ['node', 'development|production'];
const defaultClientConditions = ['module', 'browser', 'development|production'];

export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        keepClassNames: true,
      },
    }),
  ],
  resolve: { conditions: [source, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [source, ...defaultServerConditions] } },
  test: {
    include: ['packages/**/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/fixtures/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['tests/support/global-setup.ts'],
    reporters: process.env.SERVICEDECK_TEST_JSON ? ['default', 'json'] : ['default'],
    outputFile: process.env.SERVICEDECK_TEST_JSON ? { json: process.env.SERVICEDECK_TEST_JSON } : undefined,
  },
});
