import type { tf } from '@graft/tf';

/**
 * Floating-point operations (multiply and add counted separately) of one image through a feature
 * model, from its layer graph: convolutions, depthwise convolutions and dense layers. Element-wise
 * ops, pooling and batch norm (folded into convolutions at inference) are left out — they are a
 * fraction of a percent of a CNN's work.
 */
export function countFlops(model: tf.LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className !== 'Conv2D' && className !== 'DepthwiseConv2D' && className !== 'Dense') continue;
    const config = layer.getConfig() as { kernelSize?: number[]; filters?: number; depthMultiplier?: number; units?: number };
    const input = (layer.input as tf.SymbolicTensor).shape;
    const output = (layer.output as tf.SymbolicTensor).shape;
    const [height, width] = [output[1] as number, output[2] as number];
    const inputChannels = input[input.length - 1] as number;
    if (className === 'Conv2D') {
      const [kh, kw] = config.kernelSize!;
      flops += 2 * height * width * config.filters! * kh! * kw! * inputChannels;
    } else if (className === 'DepthwiseConv2D') {
      const [kh, kw] = config.kernelSize!;
      flops += 2 * height * width * inputChannels * (config.depthMultiplier ?? 1) * kh! * kw!;
    } else if (className === 'Dense') {
      flops += 2 * inputChannels * config.units!;
    }
  }
  return flops;
}
