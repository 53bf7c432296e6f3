import * as arrow from 'apache-arrow';
import { featureVector, makeTable } from '@graft/core';
import type { ManifestRow } from '@graft/split';

/** predictions.parquet: one row per image with its true and predicted class and all probabilities. */
export function predictionsTable(rows: readonly ManifestRow[], labels: readonly string[], probabilities: Float32Array, predicted: Int32Array, confidence: Float32Array, metadata: Map<string, string>): arrow.Table {
  const utf8 = new arrow.Utf8();
  const probabilityColumn = featureVector(probabilities, labels.length);
  return makeTable(
    [
      { name: 'path', type: utf8, values: rows.map((r) => r.path) },
      { name: 'split', type: utf8, values: rows.map((r) => r.split) },
      { name: 'class_index', type: new arrow.Int32(), values: Int32Array.from(rows, (r) => r.classIndex) },
      { name: 'class_name', type: utf8, values: rows.map((r) => r.className) },
      { name: 'predicted_index', type: new arrow.Int32(), values: predicted },
      { name: 'predicted_name', type: utf8, values: Array.from(predicted, (p) => labels[p]!) },
      { name: 'confidence', type: new arrow.Float32(), values: confidence },
      { name: 'correct', type: new arrow.Bool(), values: rows.map((r, i) => r.classIndex === predicted[i]) },
      { name: 'probabilities', type: probabilityColumn.type, values: probabilityColumn },
    ],
    metadata,
  );
}
