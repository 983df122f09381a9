import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FORBIDDEN = /from\s+['"](pg|ioredis|mongodb|express|fastify|fastify-plugin|@electric-sql\/pglite|(node:)?(fs|net|http|https|child_process|dgram|tls))['"]/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the core', () => {
  it('imports no driver, web framework or I/O module (they are optional peers, in adapters/)', () => {
    const offenders = files('src').filter((path) => FORBIDDEN.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
    expect(files('src').length).toBeGreaterThan(10);
  });

  it('has no import that runs back up its layers (its own entry points, the testing suite, an adapter)', () => {
    // Entry points (which gather the core) and the suites built on the published core are exempt.
    const exempt = (path: string) => /^src[\\/](testing[\\/]|networks[\\/]index\.ts$|index\.ts$|store-kit\.ts$)/.test(path);
    const UPWARD = /from\s+['"](clickcredit(\/[^'"]*)?|[^'"]*\/adapters\/[^'"]*|[^'"]*\/testing\/[^'"]*|[^'"]*\/networks\/index\.js|[^'"]*\/store-kit\.js|[^'"]*\/index\.js)['"]/;
    const offenders = files('src').filter((path) => !exempt(path) && UPWARD.test(readFileSync(path, 'utf8')));
    expect(offenders).toEqual([]);
    // The rule bites: the entry points themselves do gather indexes.
    expect(UPWARD.test(readFileSync('src/index.ts', 'utf8'))).toBe(true);
  });
});
