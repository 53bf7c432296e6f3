/** Inference engines, in the order `auto` tries them. */
export const ENGINES = ['tfjs-node', 'onnxruntime', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type EngineName = (typeof ENGINES)[number];
export const ENGINE_CHOICES = ['auto', ...ENGINES] as const;

/** A loaded feature extractor: preprocessed images in, feature vectors out. */
export interface FeatureEngine {
  readonly name: EngineName;
  /**
   * Features of `n` images given as preprocessed NHWC float32 (n × size × size × 3);
   * returns n × featureDim floats, row-major.
   */
  infer(batch: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}
