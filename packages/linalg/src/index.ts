export { Workspace, paddedWidth } from './workspace.js';
export type { Matrix, RowIndex, Coefficients } from './workspace.js';
export { minimizeLbfgs } from './lbfgs.js';
export type { Objective, LbfgsOptions, LbfgsResult } from './lbfgs.js';
export { LINALG_CODE_DIR } from './code-dir.js';
export { featureScaling, noScaling } from './standardization.js';
export type { FeatureScaling } from './standardization.js';
