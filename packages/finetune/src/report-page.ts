import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, escapeHtml, pageStart, percent, renderChart } from '@graft/evaluate';
import type { EpochPoint } from './train-upper.js';

/** What the page shows: report.json's facts and the per-epoch curve. */
export interface FinetunePage {
  readonly backbone: string;
  readonly cut: string;
  readonly blocks: number;
  readonly unfrozenLayers: readonly string[];
  readonly unfrozenWeights: number;
  readonly testImages: number;
  readonly frozenTestAccuracy: number;
  readonly fineTunedTestAccuracy: number;
  readonly bestEpoch: number;
  readonly curve: readonly EpochPoint[];
  readonly params: Readonly<Record<string, unknown>>;
}

/** Vega-Lite: validation accuracy, and train vs validation loss, per epoch; the kept epoch marked. */
function curvesSpec(curve: readonly EpochPoint[], bestEpoch: number): TopLevelSpec {
  const values = curve.flatMap((p) => [
    { epoch: p.epoch, measure: 'loss', set: 'train', value: p.trainLoss },
    { epoch: p.epoch, measure: 'loss', set: 'validation', value: p.validationLoss },
    { epoch: p.epoch, measure: 'accuracy', set: 'validation', value: p.validationAccuracy },
  ]);
  const panel = (measure: 'accuracy' | 'loss') => ({
    width: 320,
    height: 200,
    layer: [
      {
        transform: [{ filter: { field: 'measure', equal: measure } }],
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch (0 = frozen start)', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: measure, ...(measure === 'accuracy' ? { axis: { format: '.0%' } } : {}) },
          color: { field: 'set', type: 'nominal', title: null, scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#e6550d'] } },
        },
      },
      { data: { values: [{ epoch: bestEpoch }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#667085' }, encoding: { x: { field: 'epoch', type: 'quantitative' } } },
    ],
  });
  return { data: { values }, hconcat: [panel('accuracy'), panel('loss')], config: CHART_CONFIG } as TopLevelSpec;
}

/** The fine-tuning report as one self-contained HTML page (no scripts, nothing fetched; same input → same bytes). */
export async function finetunePageHtml(page: FinetunePage): Promise<string> {
  const chart = await renderChart(curvesSpec(page.curve, page.bestEpoch), 'finetune-curves');
  const change = page.fineTunedTestAccuracy - page.frozenTestAccuracy;
  const rows = Object.entries(page.params).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => `<tr><th>--${escapeHtml(name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))}</th><td><code>${escapeHtml(JSON.stringify(value))}</code></td></tr>`).join('\n');
  return `${pageStart('Graft fine-tuning report')}
<header>
<h1>Graft fine-tuning report</h1>
<p class="headline" id="headline">Fine-tuned test accuracy = ${percent(page.fineTunedTestAccuracy)} (frozen ${percent(page.frozenTestAccuracy)}, N=${page.testImages})</p>
<p class="facts">${change >= 0 ? '+' : '−'}${(100 * Math.abs(change)).toFixed(1)} points · backbone <code>${escapeHtml(page.backbone)}</code> · ${page.blocks} block(s) unfrozen above <code>${escapeHtml(page.cut)}</code> (${page.unfrozenWeights.toLocaleString('en-US')} weights) · kept epoch ${page.bestEpoch} of ${page.curve.length - 1}</p>
</header>
<main>
<section id="curves">
<h2>Per epoch</h2>
<p class="note">Epoch 0 is the frozen backbone with the trained head. Train loss is the mean over the epoch's batches (distorted copies included); validation is the whole validation split. The dashed line marks the epoch whose weights were kept (lowest validation loss).</p>
<figure class="chart" id="finetune-curves">${chart}</figure>
</section>
<section id="setup">
<h2>Setup</h2>
<p class="note">Unfrozen layers: ${page.unfrozenLayers.map((name) => `<code>${escapeHtml(name)}</code>`).join(', ')}. BatchNorm layers stay frozen.</p>
<table>
${rows}
</table>
</section>
</main>
<footer>Made by graft. The numbers come from <code>report.json</code> and <code>metrics.parquet</code> next to this page.</footer>
</body>
</html>
`;
}
