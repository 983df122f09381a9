/**
 * `npm run check:package`: lints the tarball users install, as `npm pack` makes it from the
 * current build, with publint (strict: warnings fail) and Are the Types Wrong (`attw`, node16
 * profile: node16 from CommonJS, node16 from ESM, bundler; not node10, whose resolution cannot see
 * subpath exports). Run it after `npm run build`: the tarball is packed without `prepack`, so
 * the build is not redone (it is what `attw --pack` would do, minus a second build).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = (name: string) => join('node_modules', '.bin', name);
const directory = mkdtempSync(join(tmpdir(), 'clickcredit-pack-'));
try {
  const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', directory], { encoding: 'utf8' });
  const [{ filename, size, entryCount }] = JSON.parse(packed) as [{ filename: string; size: number; entryCount: number }];
  console.log(`packed ${filename}: ${entryCount} files, ${size} bytes`);
  const tarball = join(directory, filename);
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { stdio: 'inherit' });
  execFileSync(bin('attw'), [tarball, '--profile', 'node16', '--format', 'table-flipped'], { stdio: 'inherit' });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  rmSync(directory, { recursive: true, force: true });
}
