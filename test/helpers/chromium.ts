import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package; `.ci/run` installs it. */
export const CHROMIUM_PATH = process.env.GRAFT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with no background traffic (updates, sync, safe browsing…), so any request
 * seen by a test comes from the page. Fails with a clear message when Chromium is missing: the
 * browser tests never skip silently.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`headless Chromium not found at ${CHROMIUM_PATH}: install it (\`apt-get install -y --no-install-recommends chromium\`, as .ci/run does) or set GRAFT_CHROMIUM to its path`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-extensions'],
  });
}
