import { tf, useTfjsBackend } from '@graft/tf';
import type { EngineName, FeatureEngine } from './engine.js';

/** The tfjs backend each tfjs engine runs on. */
export const TFJS_BACKEND_OF = { 'tfjs-node': 'tensorflow', 'tfjs-wasm': 'wasm', 'tfjs-cpu': 'cpu' } as const;
export type TfjsEngineName = keyof typeof TFJS_BACKEND_OF;

/** Images [n, size, size, 3] → features [n, D], in tfjs: a feature LayersModel, or a graph model cut at a node. */
export interface TfjsFeatures {
  predict(images: tf.Tensor4D): tf.Tensor | tf.Tensor[];
}

/** Run the feature model with tfjs on the backend the engine names (throws if it cannot load). */
export async function createTfjsEngine(name: TfjsEngineName, featureModel: TfjsFeatures, inputSize: number): Promise<FeatureEngine> {
  await useTfjsBackend(TFJS_BACKEND_OF[name]);
  return {
    name: name as EngineName,
    async infer(batch, n) {
      const output = tf.tidy(() => featureModel.predict(tf.tensor4d(batch.subarray(0, n * inputSize * inputSize * 3), [n, inputSize, inputSize, 3])) as tf.Tensor);
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    },
    async dispose() {},
  };
}
