import type { ClassRow } from '@graft/split';
import type { CurvePoint, SelectionRow } from '@graft/train';
import type { ClassificationMetrics } from '../metrics.js';
import type { Thumbnail } from './thumbnails.js';
import type { ChecksView } from './checks-view.js';
import type { TargetEvaluation } from '../target-evaluation.js';

/** A misclassified image as the report shows it. */
export interface MistakeView {
  readonly path: string;
  readonly trueClass: string;
  readonly predictedClass: string;
  readonly confidence: number;
  /** Undefined when no dataset folder was available. */
  readonly thumbnail: Thumbnail | undefined;
}

/** A file left out of training, by split (not an image) or extract (could not be decoded). */
export interface LeftOutFile {
  readonly stage: 'split' | 'extract';
  readonly path: string;
  readonly className: string | null;
  readonly reason: string;
}

/** The provenance record of one stage, as stored in its artifacts' metadata. */
export interface StageProvenance {
  readonly stage: string;
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** How train fitted the head (train's provenance `fit` and `head` records). */
export interface HeadFit {
  readonly optimizer: string;
  readonly l2: number;
  readonly standardized: boolean;
  readonly hiddenUnits: number;
  /** L-BFGS only. */
  readonly solver?: { readonly iterations: number; readonly gradientNorm: number; readonly stop: string };
  /** Step optimizers only. */
  readonly steps?: number;
}

/** Everything the HTML report shows; built by the evaluate stage from its inputs. */
export interface ReportModel {
  readonly datasetName: string | undefined;
  readonly split: string;
  readonly backbone: string;
  readonly labels: readonly string[];
  readonly metrics: ClassificationMetrics;
  readonly curve: readonly CurvePoint[];
  /** How the head was fitted, from train's provenance. */
  readonly fit: HeadFit;
  /** The L2 strengths the chosen run tried (empty when --l2 was one value). */
  readonly selection: readonly SelectionRow[];
  readonly mistakes: readonly MistakeView[];
  /** Why the mistakes have no thumbnails, when they have none. */
  readonly thumbnailsNote: string | undefined;
  readonly classes: readonly ClassRow[];
  readonly leftOut: readonly LeftOutFile[];
  readonly stages: readonly StageProvenance[];
  readonly graftVersion: string;
  /** The doctor's dataset checks, when it ran. */
  readonly checks: ChecksView | undefined;
  /** The target domain (--target): every model's target accuracy and the recommended one. */
  readonly adaptation?: TargetEvaluation | undefined;
}

/** The charts of the report, rendered to SVG. */
export interface ReportCharts {
  readonly confusionMatrix: string;
  readonly trainingCurves: string;
  /** Absent when no L2 strength was chosen. */
  readonly l2Selection?: string;
}
