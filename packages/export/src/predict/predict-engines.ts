/** How predict runs the backbone: onnxruntime (extract's fast engine) or the exported tfjs model. */
export const PREDICT_ENGINES = ['auto', 'onnxruntime', 'tfjs'] as const;
