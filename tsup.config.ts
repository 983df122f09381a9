import { defineConfig } from 'tsup';

/**
 * One entry per subpath export. Adapters import the core as `clickcredit`, kept external so a
 * built package has exactly one copy of the core (one set of error classes for `instanceof`).
 * Drivers and frameworks are optional peer dependencies: never bundled.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    memory: 'adapters/memory/index.ts',
    postgres: 'adapters/postgres/index.ts',
    redis: 'adapters/redis/index.ts',
    mongodb: 'adapters/mongodb/index.ts',
    express: 'adapters/express/index.ts',
    fastify: 'adapters/fastify/index.ts',
    testing: 'src/testing/index.ts',
    store: 'src/store-kit.ts',
    client: 'adapters/client/index.ts',
    dashboard: 'adapters/dashboard/index.ts',
    networks: 'src/networks/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  // No sourcemaps: the output is unminified, readable ES2022 (stack traces already point at real
  // code), and maps with embedded sources were two thirds of the published tarball.
  sourcemap: false,
  target: 'node20',
  splitting: false,
  treeshake: true,
  external: ['clickcredit', 'clickcredit/store', 'pg', '@electric-sql/pglite', 'ioredis', 'mongodb', 'express', 'fastify', 'fastify-plugin'],
});
