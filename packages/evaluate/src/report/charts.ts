import type { TopLevelSpec } from 'vega-lite';
import type { CurvePoint } from '@graft/train';

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

/** Vega-Lite line charts of the training curve: accuracy and loss, train batch vs validation. */
export function trainingCurvesSpec(curve: readonly CurvePoint[]): TopLevelSpec {
  const values = curve.flatMap((point) => [
    { step: point.step, measure: 'accuracy', set: 'train batch', value: point.trainAccuracy },
    { step: point.step, measure: 'loss', set: 'train batch', value: point.loss },
    ...(point.validationAccuracy !== null ? [{ step: point.step, measure: 'accuracy', set: 'validation', value: point.validationAccuracy }] : []),
    ...(point.validationLoss !== null ? [{ step: point.step, measure: 'loss', set: 'validation', value: point.validationLoss }] : []),
  ]);
  const panel = (measure: 'accuracy' | 'loss') => ({
    transform: [{ filter: { field: 'measure', equal: measure } }],
    width: 320,
    height: 200,
    mark: { type: 'line', point: curve.length <= 60, strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step' },
      y: { field: 'value', type: 'quantitative', title: measure, ...(measure === 'accuracy' ? { scale: { domain: [0, 1] }, axis: { format: '.0%' } } : {}) },
      color: { field: 'set', type: 'nominal', title: null, scale: { domain: ['train batch', 'validation'], range: ['#1f77b4', '#e6550d'] } },
    },
  });
  return { data: { values }, hconcat: [panel('accuracy'), panel('loss')], config: CHART_CONFIG } as TopLevelSpec;
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
