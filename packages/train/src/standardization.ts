import type { FeatureScaling } from '@graft/linalg';
import type { DenseWeights, TrainedHead } from './head.js';

/**
 * A head trained on standardised features as one that takes raw features: the first layer's
 * weights divided by the scale, its bias less Σ mean · weight / scale. Same probabilities, same shape.
 */
export function foldScaling(head: TrainedHead, scaling: FeatureScaling): TrainedHead {
  const fold = (layer: DenseWeights): DenseWeights => {
    const { inputDim, units } = layer;
    const kernel = new Float32Array(inputDim * units);
    const bias = Float64Array.from(layer.bias);
    for (let d = 0; d < inputDim; d++) {
      for (let u = 0; u < units; u++) {
        const w = layer.kernel[d * units + u]! / scaling.scale[d]!;
        kernel[d * units + u] = w;
        bias[u]! -= scaling.mean[d]! * w;
      }
    }
    return { inputDim, units, kernel, bias: Float32Array.from(bias) };
  };
  return head.hidden ? { ...head, hidden: { ...fold(head.hidden), activation: head.hidden.activation } } : { ...head, output: fold(head.output) };
}
