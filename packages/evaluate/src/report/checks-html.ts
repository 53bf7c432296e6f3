import type { CheckedImage, ChecksView } from './checks-view.js';
import { escapeHtml, percent } from './html-text.js';

const FINDING_TEXT: Record<string, string> = {
  'label-conflict': 'same picture in two classes',
  'test-leak': 'test image also in train / validation',
  'validation-leak': 'validation image also in train',
};

function imageHtml(image: CheckedImage, caption: string): string {
  const picture = image.thumbnail === undefined ? '' : 'uri' in image.thumbnail
    ? `<img src="${image.thumbnail.uri}" alt="${escapeHtml(image.path)}">`
    : `<div class="no-image">${escapeHtml(image.thumbnail.missing)}</div>`;
  return `<figure class="finding">${picture}${caption}<p class="path">${escapeHtml(image.path)} (${escapeHtml(image.split)})</p></figure>`;
}

/** The report's dataset-checks section: counts, the re-scored accuracy, and the top of each finding with thumbnails. */
export function checksHtml(view: ChecksView): string {
  const { summary, withoutLeaks } = view;
  const exact = summary.exactDuplicates;
  const near = summary.nearDuplicates;
  const count = (record: Readonly<Record<string, unknown>>, key: string) => Number(record[key] ?? 0);
  const leak = withoutLeaks && withoutLeaks.leaked > 0
    ? `<p class="warning" id="leak-rescoring">${withoutLeaks.leaked} test image${withoutLeaks.leaked === 1 ? '' : 's'} copy a train or validation image: the head was fitted on ${withoutLeaks.leaked === 1 ? 'that picture' : 'those pictures'}. Without them, test accuracy = ${percent(withoutLeaks.accuracy)} (N=${withoutLeaks.count}).</p>`
    : '';
  const facts = `<table id="checks-table"><thead><tr><th>finding</th><th class="num">count</th></tr></thead><tbody>
<tr><td>exact duplicate pairs (same bytes): label conflicts / test leaks / validation leaks / same class</td><td class="num">${count(exact, 'label-conflict')} / ${count(exact, 'test-leak')} / ${count(exact, 'validation-leak')} / ${count(exact, 'same-class')}</td></tr>
<tr><td>near duplicate pairs (by ${escapeHtml(String(near.by))}, similarity ≥ ${near.threshold}): label conflicts / test leaks / validation leaks / same class</td><td class="num">${count(near, 'label-conflict')} / ${count(near, 'test-leak')} / ${count(near, 'validation-leak')} / ${count(near, 'same-class')}</td></tr>
<tr><td>test images leaked from train / validation</td><td class="num">${summary.leakedTestImages.length}</td></tr>
<tr><td>likely label errors (confident learning on out-of-fold predictions, accuracy ${percent(summary.labelIssues.outOfFoldAccuracy)})</td><td class="num">${summary.labelIssues.flagged}</td></tr>
<tr><td>outliers (far from every class)</td><td class="num">${summary.outliers.flagged}</td></tr>
</tbody></table>`;
  const pairs = view.pairs.length
    ? `<h3>Duplicates that matter</h3><div class="pairs">${view.pairs
        .map((p) => `<div class="pair"><p><b>${escapeHtml(FINDING_TEXT[p.finding] ?? p.finding)}</b> (${escapeHtml(p.kind)}${p.kind === 'near' ? `, similarity ${p.similarity.toFixed(3)}` : ''})</p><div class="mistakes">${imageHtml(p.a, `<p>${escapeHtml(p.a.className)}</p>`)}${imageHtml(p.b, `<p>${escapeHtml(p.b.className)}</p>`)}</div></div>`)
        .join('\n')}</div>`
    : '';
  const issues = view.labelIssues.length
    ? `<h3>Likely label errors</h3><p class="note">Each image scored by a head fitted without it; most suspect first. Look at the picture: is the folder or the suggestion right?</p><div class="mistakes">${view.labelIssues
        .map((r) => imageHtml(r.image, `<p>folder: <b>${escapeHtml(r.image.className)}</b> (${percent(r.givenProbability)})</p><p class="predicted">looks like: <b>${escapeHtml(r.suggestedClass)}</b> (${percent(r.suggestedProbability)})</p>`))
        .join('\n')}</div>`
    : '';
  const outliers = view.outliers.length
    ? `<h3>Outliers</h3><p class="note">Images far from every class (often broken, off-topic or from another kind of picture); farthest first.</p><div class="mistakes">${view.outliers
        .map((r) => imageHtml(r.image, `<p>${escapeHtml(r.image.className)}</p><p class="muted">score ${r.score.toFixed(3)}, z ${r.robustZ.toFixed(1)}</p>`))
        .join('\n')}</div>`
    : '';
  return `<p class="note">From <code>graft doctor</code>: content hashes, pixel thumbnails and the cached features, without another network pass. Every pair and score is in <code>doctor/*.parquet</code>.</p>
${leak}
${facts}
${pairs}
${issues}
${outliers}`;
}
