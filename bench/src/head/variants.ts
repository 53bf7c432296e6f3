import type { TrainingOptions } from '@graft/train';

/** A head configuration the benchmark compares, as train params. */
export interface HeadVariant {
  readonly name: string;
  readonly flags: string;
  readonly options: Partial<TrainingOptions>;
}

export const HEAD_VARIANTS: readonly HeadVariant[] = [
  { name: 'retrain.py (the seed\'s defaults)', flags: '--standardize false --optimizer sgd', options: { standardize: false, optimizer: 'sgd' } },
  { name: 'standardized, SGD 0.01 × 4000', flags: '--optimizer sgd', options: { optimizer: 'sgd' } },
  { name: 'raw features, L-BFGS, l2 by CV', flags: '--standardize false --optimizer lbfgs', options: { standardize: false, optimizer: 'lbfgs' } },
  { name: 'standardized, L-BFGS, l2 by CV (default)', flags: '(none)', options: {} },
  { name: 'standardized, hidden 256, Adam 0.001 × 4000', flags: '--hidden-units 256', options: { hiddenUnits: 256, optimizer: 'adam', learningRate: '0.001' } },
  { name: 'standardized, hidden 256, SGD 0.01 × 4000', flags: '--hidden-units 256 --optimizer sgd', options: { hiddenUnits: 256, optimizer: 'sgd' } },
];
