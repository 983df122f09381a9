/**
 * The dashboard's generated asset module must be what its sources and the installed uPlot give
 * (`npm run dashboard:assets` after an edit), and its shipped size stays small.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ASSETS, UPLOT_VERSION } from '../../adapters/dashboard/assets.generated.js';
import { GENERATED_PATH, renderDashboardAssets } from '../../scripts/build-dashboard-assets.js';

describe('dashboard assets', () => {
  it('the generated module is up to date with adapters/dashboard/assets/ and uplot', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8') === renderDashboardAssets(), 'run `npm run dashboard:assets`').toBe(true);
    const installed = (JSON.parse(readFileSync('node_modules/uplot/package.json', 'utf8')) as { version: string }).version;
    expect(UPLOT_VERSION).toBe(installed);
  });

  it('ships page, script, styles and uPlot in under 90 KB, nothing from elsewhere', () => {
    const bytes = Object.values(DASHBOARD_ASSETS).reduce((sum, asset) => sum + Buffer.byteLength(asset.body), 0);
    expect(bytes).toBeLessThan(90_000);
    const html = DASHBOARD_ASSETS['dashboard.html']!.body;
    for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^__ASSETS__\//);
    expect(DASHBOARD_ASSETS['dashboard.js']!.body).not.toMatch(/https?:\/\//);
  });
});
