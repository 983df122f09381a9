import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The package's own subpaths resolve to source, exactly as tsconfig "paths" says.
const alias = [
  { find: /^clickcredit$/, replacement: here('./src/index.ts') },
  { find: /^clickcredit\/testing$/, replacement: here('./src/testing/index.ts') },
  { find: /^clickcredit\/store$/, replacement: here('./src/store-kit.ts') },
  { find: /^clickcredit\/client$/, replacement: here('./adapters/client/index.ts') },
  { find: /^clickcredit\/dashboard$/, replacement: here('./adapters/dashboard/index.ts') },
  { find: /^clickcredit\/networks$/, replacement: here('./src/networks/index.ts') },
  { find: /^clickcredit\/(memory|postgres|redis|mongodb|express|fastify)$/, replacement: here('./adapters/$1/index.ts') },
];

export default defineConfig({
  resolve: { alias },
  test: {
    // CI also writes a JSON report, from which .ci/run prints a plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
