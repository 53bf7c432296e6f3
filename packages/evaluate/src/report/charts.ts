import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint, SelectionRow } from '@graft/train';

/** Fonts and colours shared by every chart of the report. */
export const CHART_CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: 'white',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
} as const;

/** Vega-Lite heatmap of confusion[true][predicted], counts written in the cells. */
export function confusionMatrixSpec(labels: readonly string[], confusion: readonly (readonly number[])[]): TopLevelSpec {
  const values = labels.flatMap((trueClass, t) => labels.map((predictedClass, p) => ({ trueClass, predictedClass, count: confusion[t]![p]! })));
  const largest = Math.max(1, ...values.map((v) => v.count));
  const cell = Math.max(28, Math.min(56, Math.floor(480 / Math.max(1, labels.length))));
  const axis = { field: 'predictedClass', type: 'nominal', sort: [...labels] } as const;
  return {
    data: { values },
    width: cell * labels.length,
    height: cell * labels.length,
    encoding: {
      x: { ...axis, title: 'predicted class', axis: { orient: 'top', labelAngle: -40 } },
      y: { field: 'trueClass', type: 'nominal', sort: [...labels], title: 'true class' },
    },
    layer: [
      { mark: { type: 'rect', stroke: 'white', strokeWidth: 1 }, encoding: { color: { field: 'count', type: 'quantitative', title: 'images', scale: { scheme: 'blues', domain: [0, largest] } } } },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${largest / 2}`, value: 'white' }, value: '#222' },
        },
      },
    ],
    config: CHART_CONFIG,
  } as TopLevelSpec;
}

/**
 * Vega-Lite line charts of the training curve: accuracy and loss, train vs validation — per
 * mini-batch step (train = that step's batch) or per L-BFGS iteration (`fullBatch`: all training rows).
 */
export function trainingCurvesSpec(curve: readonly CurvePoint[], fullBatch = false): TopLevelSpec {
  const train = fullBatch ? 'train' : 'train batch';
  const values = curve.flatMap((point) => [
    { step: point.step, measure: 'accuracy', set: train, value: point.trainAccuracy },
    { step: point.step, measure: 'loss', set: train, value: point.loss },
    ...(point.validationAccuracy !== null ? [{ step: point.step, measure: 'accuracy', set: 'validation', value: point.validationAccuracy }] : []),
    ...(point.validationLoss !== null ? [{ step: point.step, measure: 'loss', set: 'validation', value: point.validationLoss }] : []),
  ]);
  const panel = (measure: 'accuracy' | 'loss') => ({
    transform: [{ filter: { field: 'measure', equal: measure } }],
    width: 320,
    height: 200,
    mark: { type: 'line', point: curve.length <= 60, strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: fullBatch ? 'L-BFGS iteration' : 'training step' },
      y: { field: 'value', type: 'quantitative', title: measure, ...(measure === 'accuracy' ? { scale: { domain: [0, 1] }, axis: { format: '.0%' } } : {}) },
      color: { field: 'set', type: 'nominal', title: null, scale: { domain: [train, 'validation'], range: ['#1f77b4', '#e6550d'] } },
    },
  });
  return { data: { values }, hconcat: [panel('accuracy'), panel('loss')], config: CHART_CONFIG } as TopLevelSpec;
}

/** Held-out accuracy (± sd over folds) and log-loss against the L2 strength, the chosen one marked. */
export function l2SelectionSpec(rows: readonly SelectionRow[]): TopLevelSpec {
  const values = rows.map((row) => ({
    l2: row.l2 > 0 ? row.l2 : Math.min(...rows.filter((r) => r.l2 > 0).map((r) => r.l2), 1) / 10,
    accuracy: row.accuracy, low: row.accuracy - (row.accuracySd ?? 0), high: row.accuracy + (row.accuracySd ?? 0),
    logLoss: row.logLoss, chosen: row.chosen ? 'chosen' : 'tried',
  }));
  const x = { field: 'l2', type: 'quantitative', title: 'L2 strength (log scale)', scale: { type: 'log' }, axis: { format: '.0e' } } as const;
  const color = { field: 'chosen', type: 'nominal', title: null, scale: { domain: ['tried', 'chosen'], range: ['#1f77b4', '#e6550d'] } } as const;
  const accuracy = {
    width: 320,
    height: 200,
    layer: [
      ...(rows.some((r) => r.accuracySd !== null) ? [{ mark: { type: 'area', opacity: 0.15, color: '#1f77b4' }, encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } }] : []),
      { mark: { type: 'line', color: '#1f77b4' }, encoding: { x, y: { field: 'accuracy', type: 'quantitative', title: 'held-out accuracy', axis: { format: '.0%' } } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y: { field: 'accuracy', type: 'quantitative' }, color } },
    ],
  };
  const logLoss = {
    width: 320,
    height: 200,
    layer: [
      { mark: { type: 'line', color: '#1f77b4' }, encoding: { x, y: { field: 'logLoss', type: 'quantitative', title: 'held-out log-loss' } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y: { field: 'logLoss', type: 'quantitative' }, color } },
    ],
  };
  return { data: { values }, hconcat: [accuracy, logLoss], config: CHART_CONFIG } as TopLevelSpec;
}

/**
 * Render a Vega-Lite spec to an SVG string in Node (no canvas, no network: data is inline).
 * Vega numbers its gradient and clip-path ids with a process-wide counter; they are renamed
 * `<idPrefix>-<n>` in order of appearance, so the SVG is the same whatever was rendered before
 * and ids stay unique when several charts share one page.
 */
export async function renderChart(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  // Loaded on first use: the CLI imports this package for every command, most of which draw nothing.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return renumberIds(await view.toSVG(), idPrefix);
  } finally {
    view.finalize();
  }
}

/** Rename every `id` of an SVG (and its `url(#…)` / `href="#…"` references) to `<prefix>-<n>`. */
export function renumberIds(svg: string, prefix: string): string {
  const renamed = new Map<string, string>();
  for (const [, id] of svg.matchAll(/\bid="([^"]+)"/g)) if (!renamed.has(id!)) renamed.set(id!, `${prefix}-${renamed.size}`);
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${renamed.get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (whole, id: string) => (renamed.has(id) ? `url(#${renamed.get(id)})` : whole))
    .replace(/href="#([^"]+)"/g, (whole, id: string) => (renamed.has(id) ? `href="#${renamed.get(id)}"` : whole));
}
