import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Chromium on PATH (Debian's package installs /usr/bin/chromium), or null. */
export function findChromium(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

export const chromiumPath = findChromium();
export const MISSING_CHROMIUM = 'Chromium is not installed (no `chromium` on PATH): install it with `apt-get install -y chromium`';
/** Outside CI a machine without Chromium skips, saying why; in CI the test runs and fails with MISSING_CHROMIUM. */
export const skipNoChromium = !chromiumPath && !process.env.CI;
if (skipNoChromium) console.warn(`browser e2e tests skipped: ${MISSING_CHROMIUM} (they fail instead when CI is set)`);

export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error(`${MISSING_CHROMIUM}. The browser e2e tests cannot run without it (CI is set, so they fail instead of skipping).`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Where screenshots go for a reviewer to look at. */
export function screenshotPath(name: string): string {
  mkdirSync('test-results', { recursive: true });
  return `test-results/${name}.png`;
}
