import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { sha256 } from '@graft/core';
import { classificationMetrics } from '../src/metrics.js';
import { renderReport } from '../src/report/build-report.js';
import { confusionMatrixSpec, renderChart, renumberIds } from '../src/report/charts.js';
import { LEFT_OUT_LISTED } from '../src/report/report-html.js';
import type { ReportModel } from '../src/report/report-model.js';
import { THUMBNAIL_SIZE, thumbnailOf } from '../src/report/thumbnails.js';
import { syntheticImage } from '../../../test/helpers/dataset.js';

const HOSTILE = '<script>alert("x")</script>';

function model(overrides: Partial<ReportModel> = {}): ReportModel {
  const labels = ['cat', 'dog', HOSTILE];
  return {
    datasetName: 'pets & co',
    split: 'test',
    backbone: 'mobilenet_v2',
    labels,
    metrics: classificationMetrics([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0], labels),
    curve: [100, 200, 300].map((step, i) => ({ step, loss: 1 - 0.2 * i, trainAccuracy: 0.5 + 0.1 * i, validationLoss: i === 0 ? null : 1.1 - 0.2 * i, validationAccuracy: i === 0 ? null : 0.4 + 0.1 * i })),
    fit: { optimizer: 'lbfgs', l2: 0.01, standardized: true, hiddenUnits: 0, solver: { iterations: 3, gradientNorm: 5e-5, stop: 'converged' } },
    selection: [1, 0.1, 0.01, 0.001].map((l2, i) => ({ run: 0, method: 'cross-validation', folds: 5, l2, accuracy: 0.6 + 0.05 * i, accuracySd: 0.05, logLoss: [0.9, 0.7, 0.6, 0.65][i]!, iterations: 10, converged: true, chosen: l2 === 0.01 })),
    mistakes: [
      { path: 'cat/a "quoted".jpg', trueClass: 'cat', predictedClass: 'dog', confidence: 0.9, thumbnail: { uri: 'data:image/jpeg;base64,AAAA' } },
      { path: `${HOSTILE}/b.jpg`, trueClass: HOSTILE, predictedClass: 'cat', confidence: 0.6, thumbnail: { missing: 'the file changed since split' } },
    ],
    thumbnailsNote: undefined,
    classes: [
      { classIndex: 0, className: 'cat', images: 10, train: 8, validation: 1, test: 1 , excludedReason: null },
      { classIndex: 1, className: 'dog', images: 9, train: 7, validation: 1, test: 1, excludedReason: null },
      { classIndex: 2, className: HOSTILE, images: 5, train: 3, validation: 1, test: 1, excludedReason: null },
      { classIndex: null, className: 'bird', images: 1, train: 0, validation: 0, test: 0, excludedReason: '1 usable image, fewer than the minimum 3' },
    ],
    leftOut: Array.from({ length: LEFT_OUT_LISTED + 5 }, (_, i) => ({ stage: i % 2 ? ('split' as const) : ('extract' as const), path: `cat/bad${String(i).padStart(3, '0')}.jpg`, className: 'cat', reason: i % 2 ? 'not an image (HTML)' : 'cannot decode: truncated' })),
    stages: [{ stage: 'split', provenance: { stage: 'split', params: { testPercent: 10 }, inputs: {}, key: 'a'.repeat(64), graft: '0.1.0', dataset: { name: 'pets', files: 25 } } }],
    graftVersion: '0.1.0',
    ...overrides,
  };
}

/** src / href values of the page other than data: URIs and in-page anchors: anything a browser would fetch. */
const externalReferences = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!).filter((url) => !url.startsWith('data:') && !url.startsWith('#'));

describe('the HTML report', () => {
  it('is the same string every time, even after other charts were rendered in the same process', async () => {
    const first = await renderReport(model());
    await renderChart(confusionMatrixSpec(['a', 'b'], [[1, 0], [0, 1]]), 'other'); // moves vega's global id counters
    expect(await renderReport(model())).toBe(first);
  });

  it('escapes names and paths from the dataset, and references nothing outside the page', async () => {
    const html = await renderReport(model());
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('cat/a &quot;quoted&quot;.jpg');
    expect(html).toContain('<title>Graft report — pets &amp; co</title>');
    expect(externalReferences(html)).toEqual([]);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/);
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no timestamps
  });

  it('shows the headline, a heatmap cell per class pair, both curves and the per-class table', async () => {
    const html = await renderReport(model());
    expect(html).toContain('Final test accuracy = 66.7% (N=6)');
    const confusion = html.slice(html.indexOf('id="confusion-matrix"'), html.indexOf('</figure>', html.indexOf('id="confusion-matrix"')));
    expect(confusion.match(/aria-roledescription="rect mark"/g)).toHaveLength(9);
    const curves = html.slice(html.indexOf('id="training-curves"'), html.indexOf('</figure>', html.indexOf('id="training-curves"')));
    expect(curves.match(/aria-roledescription="line mark"/g)!.length).toBeGreaterThanOrEqual(4); // accuracy and loss × train batch and validation
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length); // ids unique across the charts of the page
    expect(html).toMatch(/<tr><td>dog<\/td><td class="num">66\.7%<\/td><td class="num">100\.0%<\/td><td class="num">80\.0%<\/td><td class="num">2<\/td><\/tr>/);
  });

  it('lists mistakes with thumbnails, the reason where a thumbnail is missing, and the dataset summary', async () => {
    const html = await renderReport(model());
    expect(html.match(/<img src="data:image\/jpeg;base64,AAAA"/g)).toHaveLength(1);
    expect(html).toContain('<div class="no-image">the file changed since split</div>');
    expect(html).toContain('left out: 1 usable image, fewer than the minimum 3');
    expect(html).toContain(`Files left out (${LEFT_OUT_LISTED + 5})`);
    expect(html.match(/cat\/bad\d{3}\.jpg/g)).toHaveLength(LEFT_OUT_LISTED);
    expect(html).toContain('… and 5 more in the Parquet files.');
    expect(html).toMatch(/<tr><td class="num">103<\/td><td>extract<\/td><td>cannot decode: truncated<\/td><\/tr>/);
  });

  it('without a dataset folder: paths, no images, and a note saying why', async () => {
    const html = await renderReport(model({ mistakes: model().mistakes.map((m) => ({ ...m, thumbnail: undefined })), thumbnailsNote: 'Thumbnails left out: no dataset folder was given (--data).' }));
    expect(html).not.toContain('<img');
    expect(html).toContain('<p class="warning" id="thumbnails-note">Thumbnails left out: no dataset folder was given (--data).</p>');
    expect(html).toContain('cat/a &quot;quoted&quot;.jpg');
  });
});

describe('renumberIds', () => {
  it('renames ids and their references in order of appearance', () => {
    const svg = '<defs><linearGradient id="gradient_7"/><clipPath id="clip12"/></defs><path fill="url(#gradient_7)" clip-path="url(#clip12)"/><use href="#clip12"/><path fill="url(#elsewhere)"/>';
    expect(renumberIds(svg, 'c')).toBe('<defs><linearGradient id="c-0"/><clipPath id="c-1"/></defs><path fill="url(#c-0)" clip-path="url(#c-1)"/><use href="#c-1"/><path fill="url(#elsewhere)"/>');
  });
});

describe('thumbnailOf', () => {
  it('makes a small JPEG data URI of the manifest file, and refuses a changed or missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graft-thumb-'));
    const bytes = await syntheticImage(3, 'png', 200)();
    writeFileSync(join(dir, 'a.png'), bytes);
    const row = { path: 'a.png', sha256: sha256(bytes), width: 200, height: 200 };
    const thumbnail = await thumbnailOf(row, dir);
    expect('uri' in thumbnail && thumbnail.uri.startsWith('data:image/jpeg;base64,')).toBe(true);
    const decoded = await sharp(Buffer.from((thumbnail as { uri: string }).uri.split(',')[1]!, 'base64')).metadata();
    expect([decoded.format, decoded.width, decoded.height]).toEqual(['jpeg', THUMBNAIL_SIZE, THUMBNAIL_SIZE]);
    expect(await thumbnailOf(row, dir)).toEqual(thumbnail); // deterministic bytes
    expect(await thumbnailOf({ ...row, sha256: '0'.repeat(64) }, dir)).toEqual({ missing: 'the file changed since split' });
    expect(await thumbnailOf({ ...row, path: 'gone.png' }, dir)).toEqual({ missing: 'cannot read the file (ENOENT)' });
  });
});
