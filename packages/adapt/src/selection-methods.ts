/**
 * How a checkpoint (and a trade-off λ) is chosen without target labels. Selecting on the labelled
 * target test set, as some libraries do, reports an optimistic accuracy; Graft never does.
 */
export const SELECTION_METHODS = {
  'source-validation': 'accuracy on the source validation split',
  'importance-weighted': 'importance-weighted cross-entropy on the source validation split (IWCV, Sugiyama et al. 2007), weights p_t(x)/p_s(x) from a logistic-regression domain classifier on the input features',
  'reverse-validation': 'reverse validation (Zhong et al. 2010, as in DANN): a classifier trained on the target with the checkpoint\'s pseudo-labels, scored on the source validation split',
} as const;

export type SelectionMethod = keyof typeof SELECTION_METHODS;
