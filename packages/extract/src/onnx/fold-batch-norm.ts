/**
 * Inference-time BatchNormalization as a per-channel affine map: y = x * scale + shift, with
 * scale = gamma / sqrt(variance + epsilon) and shift = beta - mean * scale. Computed in float64.
 */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

export interface BatchNormParameters {
  /** Absent when the layer was built with scale=false (gamma fixed at 1). */
  gamma?: Float32Array;
  /** Absent when the layer was built with center=false (beta fixed at 0). */
  beta?: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
  epsilon: number;
}

export function batchNormAffine(bn: BatchNormParameters): ChannelAffine {
  const channels = bn.movingMean.length;
  for (const [name, values] of [['gamma', bn.gamma], ['beta', bn.beta], ['moving variance', bn.movingVariance]] as const) {
    if (values && values.length !== channels) throw new Error(`batch norm ${name} has ${values.length} channels, moving mean has ${channels}`);
  }
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (bn.gamma ? bn.gamma[c]! : 1) / Math.sqrt(bn.movingVariance[c]! + bn.epsilon);
    shift[c] = (bn.beta ? bn.beta[c]! : 0) - bn.movingMean[c]! * scale[c]!;
  }
  return { scale, shift };
}

/**
 * Fold a per-output-channel affine map into a convolution with an ONNX-layout kernel
 * [outChannels, ...] and optional bias: W' = W * scale[o], b' = b * scale[o] + shift[o].
 */
export function foldAffineIntoConv(kernel: Float32Array, bias: Float32Array | undefined, affine: ChannelAffine): { kernel: Float32Array; bias: Float32Array } {
  const outChannels = affine.scale.length;
  if (kernel.length % outChannels !== 0) throw new Error(`kernel of ${kernel.length} values does not split into ${outChannels} output channels`);
  if (bias && bias.length !== outChannels) throw new Error(`bias has ${bias.length} channels, batch norm has ${outChannels}`);
  const perChannel = kernel.length / outChannels;
  const folded = new Float32Array(kernel.length);
  const foldedBias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const s = affine.scale[o]!;
    const base = o * perChannel;
    for (let i = 0; i < perChannel; i++) folded[base + i] = kernel[base + i]! * s;
    foldedBias[o] = (bias ? bias[o]! : 0) * s + affine.shift[o]!;
  }
  return { kernel: folded, bias: foldedBias };
}
