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
});
