// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/api/**', 'node_modules/**', 'coverage/**', '.data/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      // The core stays free of I/O and drivers: they belong to adapters.
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['pg', 'ioredis', 'mongodb', 'express', 'fastify', 'fastify-plugin', '@electric-sql/pglite',
          'node:fs', 'fs', 'node:net', 'net', 'node:http', 'http', 'node:child_process', 'child_process'],
      }],
    },
  },
  {
    // No import runs back up the layers: the core never imports its own entry points (`clickcredit`,
    // its subpaths, the testing suite, the network presets' entry, the store kit) nor an adapter;
    // only the entry files gather a folder's index.
    files: ['src/**/*.ts'],
    ignores: ['src/testing/**', 'src/networks/index.ts', 'src/index.ts', 'src/store-kit.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['pg', 'ioredis', 'mongodb', 'express', 'fastify', 'fastify-plugin', '@electric-sql/pglite',
          'node:fs', 'fs', 'node:net', 'net', 'node:http', 'http', 'node:child_process', 'child_process', 'clickcredit'],
        patterns: ['clickcredit/*', '**/adapters/**', '**/testing/**', '**/networks/index.js', '**/store-kit.js', '**/index.js'],
      }],
    },
  },
);
