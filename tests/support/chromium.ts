/**
 * Real Chromium for the browser tests: Debian's `chromium` driven by playwright-core (a
 * downloaded browser cannot work on these machines). Absent chromium skips the tests with one
 * printed line, except under CI, where it is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the browser tests save their screenshots (gitignored). */
export const SCREENSHOT_DIR = resolve('test-output/screenshots');

/** True when the browser tests can run; prints why not otherwise. Under CI a missing browser throws. */
export function chromiumAvailable(suite: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`${suite}: ${CHROMIUM_PATH} is missing under CI (.ci/run installs Debian's chromium)`);
  console.log(`SKIPPED ${suite}: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return false;
}

/**
 * A headless Chromium with a fresh profile directory (Playwright passes it as `--user-data-dir`);
 * `close()` removes the profile too.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'clickcredit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 860 },
    // Flags that keep Chromium off the (closed) network and away from first-run work.
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
