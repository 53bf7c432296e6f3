import { existsSync } from 'node:fs';
import { GRAFT_VERSION, mapConcurrent, readArtifactHeader, type StageContext } from '@graft/core';
import { readClasses, readRejected, type ManifestRow } from '@graft/split/tables';
import { splitStage } from '@graft/split/spec';
import { readMetrics, readRunCurves, readSelection } from '@graft/train/tables';
import { trainStage } from '@graft/train/spec';
import type { ClassificationMetrics } from '../metrics.js';
import type { evaluateStage } from '../spec.js';
import { confusionMatrixSpec, l2SelectionSpec, renderChart, trainingCurvesSpec } from './charts.js';
import { reportHtml } from './report-html.js';
import type { HeadFit, LeftOutFile, MistakeView, ReportModel } from './report-model.js';
import { thumbnailOf } from './thumbnails.js';
import { checksView } from './checks-view.js';
import type { DoctorSummary, LeakRescoring } from '../data-checks.js';
import type { TargetEvaluation } from '../target-evaluation.js';

/** A misclassified image: its manifest row, what the head predicted and how sure it was. */
export interface Mistake {
  readonly row: ManifestRow;
  readonly predictedClass: string;
  readonly confidence: number;
}

/** What evaluate computed, for the report. */
export interface Evaluation {
  readonly split: string;
  readonly labels: readonly string[];
  readonly metrics: ClassificationMetrics;
  /** Most confident first. */
  readonly mistakes: readonly Mistake[];
  readonly backbone: string;
  /** extract's provenance, from the bottleneck table read by evaluate. */
  readonly extractProvenance: Readonly<Record<string, unknown>>;
  /** evaluate's own provenance details (backend, …). */
  readonly details: Readonly<Record<string, unknown>>;
  /** The doctor's summary when it ran, and the accuracy without leaked test images. */
  readonly doctor?: DoctorSummary | undefined;
  readonly withoutLeaks?: LeakRescoring | undefined;
  /** Manifest rows of the source images by path (thumbnails of the checks). */
  readonly rowsByPath?: ReadonlyMap<string, ManifestRow>;
  /** The target domain's evaluation (--target). */
  readonly adaptation?: TargetEvaluation | undefined;
}

/** Gather everything the report shows: evaluate's results plus the upstream artifacts it declares as inputs. */
export async function buildReportModel(context: StageContext<typeof evaluateStage>, evaluation: Evaluation): Promise<ReportModel> {
  const classesPath = context.inputPath('classes');
  const splitHeader = await readArtifactHeader(classesPath, splitStage.outputs.classes.schema, 'split');
  const trainHeader = await readArtifactHeader(context.inputPath('metrics'), trainStage.outputs.metrics.schema, 'train');
  const leftOut: LeftOutFile[] = [
    ...(await readRejected(context.inputPath('rejected'), 'split')).map((r) => ({ stage: 'split' as const, ...r })),
    ...(await readRejected(context.inputPath('skipped'), 'extract')).map((r) => ({ stage: 'extract' as const, ...r })),
  ];
  const { mistakes, note } = await mistakeViews(evaluation.mistakes, context.data);
  const dataset = splitHeader.provenance.dataset as { name?: string } | undefined;
  return {
    datasetName: dataset?.name,
    split: evaluation.split,
    backbone: evaluation.backbone,
    labels: evaluation.labels,
    metrics: evaluation.metrics,
    curve: await readMetrics(context.inputPath('metrics')),
    fit: headFit(trainHeader.provenance),
    selection: await chosenRunSelection(context.inputPath('metrics'), context.inputPath('selection')),
    mistakes,
    thumbnailsNote: note,
    classes: await readClasses(classesPath),
    leftOut,
    stages: [
      { stage: 'split', provenance: splitHeader.provenance },
      { stage: 'extract', provenance: evaluation.extractProvenance },
      { stage: 'train', provenance: trainHeader.provenance },
      { stage: 'evaluate', provenance: { ...context.provenance, ...evaluation.details } },
    ],
    graftVersion: GRAFT_VERSION,
    checks: evaluation.doctor
      ? await checksView(
          { duplicates: context.inputPath('doctorDuplicates'), labelIssues: context.inputPath('doctorLabelIssues'), outliers: context.inputPath('doctorOutliers') },
          evaluation.doctor, evaluation.withoutLeaks, evaluation.rowsByPath ?? new Map(), context.data,
        )
      : undefined,
    adaptation: evaluation.adaptation,
  };
}

/** How the head was fitted, from train's provenance. */
function headFit(provenance: Readonly<Record<string, unknown>>): HeadFit {
  const fit = (provenance.fit ?? {}) as Partial<HeadFit>;
  const head = (provenance.head ?? {}) as { standardized?: boolean; hiddenUnits?: number };
  return { optimizer: fit.optimizer ?? 'sgd', l2: fit.l2 ?? 0, standardized: head.standardized ?? false, hiddenUnits: head.hiddenUnits ?? 0, solver: fit.solver, steps: fit.steps };
}

/** The selection rows of the run train kept. */
async function chosenRunSelection(metricsPath: string, selectionPath: string) {
  const chosenRun = (await readRunCurves(metricsPath)).find((run) => run.chosen)?.run ?? 0;
  return (await readSelection(selectionPath)).filter((row) => row.run === chosenRun);
}

/** Mistakes with thumbnails from the dataset folder, or without them and a note saying why. */
async function mistakeViews(mistakes: readonly Mistake[], dataDir: string | undefined): Promise<{ mistakes: MistakeView[]; note: string | undefined }> {
  const view = (m: Mistake, thumbnail: MistakeView['thumbnail']): MistakeView => ({ path: m.row.path, trueClass: m.row.className, predictedClass: m.predictedClass, confidence: m.confidence, thumbnail });
  const unavailable = dataDir === undefined ? 'no dataset folder was given (--data)' : !existsSync(dataDir) ? 'the dataset folder (--data) was not found' : undefined;
  if (unavailable) {
    return {
      mistakes: mistakes.map((m) => view(m, undefined)),
      note: `Thumbnails left out: ${unavailable}. The images are listed by path; rerun \`graft evaluate --data <folder> --force\` to add them.`,
    };
  }
  const thumbnails = await mapConcurrent(mistakes, 4, (m) => thumbnailOf(m.row, dataDir!));
  return { mistakes: mistakes.map((m, i) => view(m, thumbnails[i])), note: undefined };
}

/** The report page of a model: charts rendered to SVG with Vega-Lite, then the HTML around them. */
export async function renderReport(model: ReportModel): Promise<string> {
  const charts = {
    trainingCurves: await renderChart(trainingCurvesSpec(model.curve, model.fit.optimizer === 'lbfgs'), 'curves'),
    ...(model.selection.length > 0 ? { l2Selection: await renderChart(l2SelectionSpec(model.selection), 'l2') } : {}),
    confusionMatrix: await renderChart(confusionMatrixSpec(model.labels, model.metrics.confusion), 'confusion'),
  };
  return reportHtml(model, charts);
}
