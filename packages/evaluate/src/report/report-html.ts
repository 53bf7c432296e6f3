import type { ReportCharts, ReportModel, MistakeView, StageProvenance } from './report-model.js';
import { escapeHtml, flattenRecord, percent, valueHtml } from './html-text.js';
import { REPORT_CSS } from './report-style.js';
import { checksHtml } from './checks-html.js';
import { adaptationHtml } from './adaptation-html.js';

/** How many left-out files the page lists one by one (all of them are in the Parquet artifacts). */
export const LEFT_OUT_LISTED = 200;

/**
 * Nothing may be fetched: images are `data:` URIs, styles and charts are inline. The policy makes
 * the browser refuse anything else, so a stray reference fails loudly instead of going online.
 */
const CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

/** The start of a self-contained Graft page, up to `<body>`: inline styles, the content policy, the title. */
export function pageStart(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>`;
}

/** The whole report as one self-contained HTML page. Same model → same bytes (no timestamps). */
export function reportHtml(model: ReportModel, charts: ReportCharts): string {
  const title = `Graft report${model.datasetName ? ` — ${model.datasetName}` : ''}`;
  return `${pageStart(title)}
<header>
<h1>${escapeHtml(title)}</h1>
${headline(model)}
<nav><a href="#training">Training</a><a href="#confusion">Confusion matrix</a><a href="#per-class">Per class</a><a href="#mistakes">Mistakes</a><a href="#dataset">Dataset</a>${model.checks ? '<a href="#checks">Dataset checks</a>' : ''}${model.adaptation ? '<a href="#adaptation">Target domain</a>' : ''}<a href="#provenance">Provenance</a></nav>
</header>
<main>
${section('training', 'Training', trainingHtml(model, charts))}
${section('confusion', `Confusion matrix (${escapeHtml(model.split)} split)`, `<p class="note">Rows are true classes, columns predicted classes; the diagonal holds the correct predictions.</p>
<figure class="chart" id="confusion-matrix">${charts.confusionMatrix}</figure>`)}
${section('per-class', `Precision, recall and F1 per class (${escapeHtml(model.split)} split)`, perClassTable(model))}
${section('mistakes', 'Most confident mistakes', mistakesHtml(model))}
${section('dataset', 'Dataset', datasetHtml(model))}
${model.checks ? section('checks', 'Dataset checks', checksHtml(model.checks)) : ''}
${model.adaptation ? section('adaptation', 'Target domain (domain adaptation)', adaptationHtml(model.adaptation)) : ''}
${section('provenance', 'Provenance', `<p class="note">What made these results: each stage's parameters, the sha256 of every input artifact and its up-to-date key, as recorded in the artifacts' metadata.</p>
<div class="stages">${model.stages.map(stageHtml).join('\n')}</div>`)}
</main>
<footer>Made by graft ${escapeHtml(model.graftVersion)}. Every number here comes from the Parquet and JSON artifacts next to this page (<code>graft inspect</code> prints them).</footer>
</body>
</html>
`;
}

/** How the head was fitted, its curves, and the L2 strengths tried. */
function trainingHtml(model: ReportModel, charts: ReportCharts): string {
  const { fit } = model;
  const layers = fit.hiddenUnits > 0 ? `a hidden layer of ${fit.hiddenUnits} units and a softmax layer` : 'a softmax layer';
  const features = fit.standardized ? 'standardized features (each dimension by the training rows\' mean and standard deviation, folded into the saved head)' : 'raw features';
  const how = fit.solver
    ? `full-batch L-BFGS: ${fit.solver.iterations} iterations, stopped ${fit.solver.stop === 'converged' ? 'converged' : fit.solver.stop === 'max-iterations' ? 'at the iteration limit' : 'when no step decreased the loss further'} (largest gradient component ${fit.solver.gradientNorm.toExponential(1)})`
    : `${escapeHtml(fit.optimizer)}, ${fit.steps ?? '?'} mini-batch steps`;
  const chosen = model.selection.find((row) => row.chosen);
  const selection = chosen
    ? `<h3>L2 strength</h3>
<p class="note">Chosen among ${model.selection.length} by ${chosen.method === 'validation' ? 'accuracy on the validation split' : `${chosen.folds}-fold cross-validation over the train and validation images`} (then log-loss): l2 = ${chosen.l2}, held-out accuracy ${percent(chosen.accuracy)}${chosen.accuracySd !== null ? ` ± ${percent(chosen.accuracySd)}` : ''}.</p>
<figure class="chart" id="l2-selection">${charts.l2Selection ?? ''}</figure>`
    : '';
  const curveNote = fit.solver
    ? 'Per L-BFGS iteration: loss (with the L2 penalty) and accuracy on all training rows, and on the whole validation split.'
    : "Recorded every few training steps: loss and accuracy on that step's training batch, and on the whole validation split.";
  return `<p id="head-fit">The head: ${layers} on ${features}, fitted by ${how}, l2 = ${fit.l2}.</p>
<p class="note">${curveNote}</p>
<figure class="chart" id="training-curves">${charts.trainingCurves}</figure>
${selection}`;
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}">\n<h2>${heading}</h2>\n${body}\n</section>`;
}

function headline(model: ReportModel): string {
  const { accuracy, count, macroF1 } = model.metrics;
  const images = model.classes.reduce((sum, c) => sum + (c.classIndex !== null ? c.images : 0), 0);
  return `<p class="headline" id="headline">Final ${escapeHtml(model.split)} accuracy = ${percent(accuracy)} (N=${count})</p>
<p class="facts">macro F1 ${percent(macroF1)} · ${model.labels.length} classes · ${images} images · backbone <code>${escapeHtml(model.backbone)}</code></p>`;
}

function perClassTable(model: ReportModel): string {
  const rows = model.metrics.perClass
    .map((m) => `<tr><td>${escapeHtml(m.className)}</td><td class="num">${percent(m.precision)}</td><td class="num">${percent(m.recall)}</td><td class="num">${percent(m.f1)}</td><td class="num">${m.support}</td></tr>`)
    .join('\n');
  return `<table id="per-class-table">
<thead><tr><th>class</th><th class="num">precision</th><th class="num">recall</th><th class="num">F1</th><th class="num">images</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><td>all (accuracy / macro F1)</td><td class="num"></td><td class="num">${percent(model.metrics.accuracy)}</td><td class="num">${percent(model.metrics.macroF1)}</td><td class="num">${model.metrics.count}</td></tr></tfoot>
</table>
<p class="note">— marks a value that is undefined (a class never predicted has no precision).</p>`;
}

function mistakesHtml(model: ReportModel): string {
  if (model.mistakes.length === 0) return `<p>No ${escapeHtml(model.split)} image was misclassified.</p>`;
  const note = model.thumbnailsNote ? `<p class="warning" id="thumbnails-note">${escapeHtml(model.thumbnailsNote)}</p>\n` : '';
  return `<p class="note">The ${model.mistakes.length} misclassified ${escapeHtml(model.split)} images the head was most sure about, most confident first.</p>
${note}<div class="mistakes">
${model.mistakes.map(mistakeHtml).join('\n')}
</div>`;
}

function mistakeHtml(mistake: MistakeView): string {
  const alt = `${mistake.path}: a ${mistake.trueClass} predicted as ${mistake.predictedClass}`;
  const picture = mistake.thumbnail === undefined ? '' : 'uri' in mistake.thumbnail
    ? `<img src="${mistake.thumbnail.uri}" alt="${escapeHtml(alt)}">`
    : `<div class="no-image">${escapeHtml(mistake.thumbnail.missing)}</div>`;
  return `<figure class="mistake">${picture}<p>true: <b>${escapeHtml(mistake.trueClass)}</b></p><p class="predicted">predicted: <b>${escapeHtml(mistake.predictedClass)}</b> (${percent(mistake.confidence)})</p><p class="path">${escapeHtml(mistake.path)}</p></figure>`;
}

function datasetHtml(model: ReportModel): string {
  const used = model.classes.filter((c) => c.classIndex !== null);
  const total = (key: 'images' | 'train' | 'validation' | 'test') => used.reduce((sum, c) => sum + c[key], 0);
  const classRows = model.classes
    .map((c) => `<tr><td>${escapeHtml(c.className)}</td><td class="num">${c.images}</td><td class="num">${c.train}</td><td class="num">${c.validation}</td><td class="num">${c.test}</td><td>${c.excludedReason ? `left out: ${escapeHtml(c.excludedReason)}` : ''}</td></tr>`)
    .join('\n');
  const classes = `<h3>Images per class and split</h3>
<table id="classes-table">
<thead><tr><th>class</th><th class="num">images</th><th class="num">train</th><th class="num">validation</th><th class="num">test</th><th></th></tr></thead>
<tbody>
${classRows}
</tbody>
<tfoot><tr><td>${used.length} classes used</td><td class="num">${total('images')}</td><td class="num">${total('train')}</td><td class="num">${total('validation')}</td><td class="num">${total('test')}</td><td></td></tr></tfoot>
</table>`;
  return `${classes}\n${leftOutHtml(model)}`;
}

function leftOutHtml(model: ReportModel): string {
  if (model.leftOut.length === 0) return '<h3>Files left out</h3>\n<p>None: every file was a usable image.</p>';
  const byReason = new Map<string, number>();
  for (const file of model.leftOut) byReason.set(`${file.stage}\u0000${file.reason}`, (byReason.get(`${file.stage}\u0000${file.reason}`) ?? 0) + 1);
  const reasons = [...byReason]
    .sort(([a, n], [b, m]) => m - n || (a < b ? -1 : 1))
    .map(([key, n]) => {
      const [stage, reason] = key.split('\u0000');
      return `<tr><td class="num">${n}</td><td>${escapeHtml(stage!)}</td><td>${escapeHtml(reason!)}</td></tr>`;
    })
    .join('\n');
  const listed = model.leftOut.slice(0, LEFT_OUT_LISTED);
  const more = model.leftOut.length - listed.length;
  const files = listed.map((f) => `<tr><td><code>${escapeHtml(f.path)}</code></td><td>${escapeHtml(f.stage)}</td><td>${escapeHtml(f.reason)}</td></tr>`).join('\n');
  return `<h3>Files left out (${model.leftOut.length})</h3>
<p class="note">split rejects files that are not readable images (<code>split/rejected.parquet</code>); extract skips images it could not decode (<code>extract/skipped.parquet</code>).</p>
<table id="left-out-reasons"><thead><tr><th class="num">files</th><th>stage</th><th>reason</th></tr></thead><tbody>
${reasons}
</tbody></table>
<table id="left-out-files"><thead><tr><th>file</th><th>stage</th><th>reason</th></tr></thead><tbody>
${files}
</tbody></table>${more > 0 ? `\n<p class="note">… and ${more} more in the Parquet files.</p>` : ''}`;
}

/** Provenance keys shown first, in this order; the rest follow sorted. */
const LEADING_KEYS = ['params', 'inputs'];
const TRAILING_KEYS = ['key', 'graft'];

function stageHtml({ stage, provenance }: StageProvenance): string {
  const keys = Object.keys(provenance).filter((k) => k !== 'stage');
  const middle = keys.filter((k) => !LEADING_KEYS.includes(k) && !TRAILING_KEYS.includes(k)).sort();
  const ordered = [...LEADING_KEYS.filter((k) => keys.includes(k)), ...middle, ...TRAILING_KEYS.filter((k) => keys.includes(k))];
  const rows = ordered.flatMap((key) => flattenRecord({ [key]: provenance[key] })).map(([path, value]) => `<tr><th>${escapeHtml(path)}</th><td>${valueHtml(value)}</td></tr>`);
  return `<div class="stage" id="provenance-${escapeHtml(stage)}"><h3>${escapeHtml(stage)}</h3><table>\n${rows.join('\n')}\n</table></div>`;
}
