import * as arrow from 'apache-arrow';
import { makeTable } from '@graft/core';
import type { EpochPoint } from './train-upper.js';

export function metricsTable(curve: readonly EpochPoint[], metadata: Map<string, string>): arrow.Table {
  return makeTable(
    [
      { name: 'epoch', type: new arrow.Int32(), values: Int32Array.from(curve, (p) => p.epoch) },
      { name: 'train_loss', type: new arrow.Float64(), values: Float64Array.from(curve, (p) => p.trainLoss) },
      { name: 'validation_loss', type: new arrow.Float64(), values: Float64Array.from(curve, (p) => p.validationLoss) },
      { name: 'validation_accuracy', type: new arrow.Float64(), values: Float64Array.from(curve, (p) => p.validationAccuracy) },
    ],
    metadata,
  );
}
