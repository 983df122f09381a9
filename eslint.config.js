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
);
