#!/usr/bin/env node
// The browser example in a headless Chromium (playwright-core + Debian's chromium): classify images
// through the page, record every request the page makes, and measure how often the page's top-1
// class agrees with the pipeline's (evaluate/predictions.parquet) on one split.
//
//   node examples/browser/headless.mjs [--out artifacts] [--data data/emoji-demo5/noto] [--split test]
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { columnValues, parquetToTable, readFeatureColumn } from '@graft/core';
import { startServer } from './serve.mjs';

export const CHROMIUM = process.env.GRAFT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-extensions'];

/** Requests that stay on this machine: the local server, data: and blob: URLs. */
export function isLocalRequest(url) {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  const { hostname } = new URL(url);
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

/**
 * Open the page in a fresh headless Chromium profile and wait until the model is loaded. Every
 * request is recorded; any request that would leave the machine is recorded and aborted.
 */
export async function openClassifierPage(url) {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'graft-chromium-')), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const requests = [];
  const errors = [];
  context.on('request', (request) => requests.push(request.url()));
  await context.route('**/*', (route) => (isLocalRequest(route.request().url()) ? route.continue() : route.abort()));
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state) || document.getElementById('status').textContent.startsWith('Cannot'), null, { timeout: 300_000 }).catch(() => undefined);
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'ready') throw new Error(`the page did not get ready (state ${state}): ${errors.join('; ') || (await page.textContent('#status'))}`);
  const backend = await page.evaluate(() => globalThis.graft.backend);
  return { page, requests, errors, backend, close: () => context.close() };
}

const TYPES = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

/** Probabilities of each file, computed by the page (bytes passed in as a Blob). */
export async function classifyInPage(page, files) {
  const results = [];
  for (const file of files) {
    const data = (await readFile(file)).toString('base64');
    const type = TYPES[file.split('.').pop().toLowerCase()] ?? 'application/octet-stream';
    results.push(await page.evaluate(async ({ data, type }) => globalThis.graft.classify(new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type })), { data, type }));
  }
  return results;
}

/** Top-1 agreement and largest probability difference between the page and predictions.parquet. */
export async function measureAgreement(page, { out, data, split = 'test' }) {
  const table = parquetToTable(await readFile(join(out, 'evaluate', 'predictions.parquet')));
  const [paths, splits, predicted] = ['path', 'split', 'predicted_index'].map((name) => columnValues(table, name));
  const { values, dimension } = readFeatureColumn(table, 'probabilities');
  const rows = paths.flatMap((path, i) => (splits[i] === split ? [i] : []));
  const started = performance.now();
  const browser = await classifyInPage(page, rows.map((i) => join(data, paths[i])));
  const seconds = (performance.now() - started) / 1000;
  let agree = 0;
  let maxAbsDiff = 0;
  const disagreements = [];
  rows.forEach((row, k) => {
    const p = browser[k];
    const top = p.indexOf(Math.max(...p));
    if (top === predicted[row]) agree++;
    else disagreements.push(paths[row]);
    for (let c = 0; c < dimension; c++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(p[c] - values[row * dimension + c]));
  });
  return { split, images: rows.length, agree, agreement: rows.length ? agree / rows.length : NaN, maxAbsDiff, disagreements, seconds };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'artifacts' }, data: { type: 'string', default: 'data/emoji-demo5/noto' }, split: { type: 'string', default: 'test' } } });
  const out = resolve(values.out);
  const server = await startServer({ modelDir: join(out, 'export', 'model'), port: 0 });
  const opened = await openClassifierPage(server.url);
  try {
    const result = await measureAgreement(opened.page, { out, data: resolve(values.data), split: values.split });
    const remote = opened.requests.filter((url) => !isLocalRequest(url));
    process.stdout.write(`${JSON.stringify({ ...result, backend: opened.backend, requests: opened.requests.length, remoteRequests: remote })}\n`);
  } finally {
    await opened.close();
    await server.close();
  }
}
