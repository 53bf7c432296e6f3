// Screenshot of the top of an HTML report, as in the README (docs/report.png):
//   node docs/report-screenshot.mjs artifacts/evaluate/report/index.html docs/report.png
// Needs Debian's chromium (/usr/bin/chromium, or GRAFT_CHROMIUM) and the repo's node_modules.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import sharp from 'sharp';

const [report = 'artifacts/evaluate/report/index.html', target = 'docs/report.png'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.GRAFT_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 1180 }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(resolve(report)).href);
  const png = await page.screenshot();
  // A 128-colour palette keeps the file small; charts and text stay crisp.
  await sharp(png).png({ palette: true, colours: 128, compressionLevel: 9 }).toFile(target);
  console.log(`wrote ${target}`);
} finally {
  await browser.close();
}
