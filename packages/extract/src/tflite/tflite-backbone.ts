import { BackboneError } from '@graft/core';
import { INPUT_RANGES, type InputRange } from '../preprocessing.js';
import { readTflite, type TfliteModel } from './read-tflite.js';
import { tfliteToOnnx, type ConvertedTflite } from './tflite-to-onnx.js';
import { TENSOR_TYPE } from './schema.js';

/**
 * How a TFLite model wants its pixels: input value = pixel × scale + offset. A uint8/int8 input
 * states it in its quantization (real = scale × (q − zero point), q the pixel); a float input may
 * state it in its metadata's normalization ((pixel − mean) / std); otherwise `inputRange` must.
 */
export function tfliteInputScaling(model: TfliteModel, inputRange: string, file: string): { scale: number; offset: number; from: string } {
  if (inputRange !== 'auto') return { ...INPUT_RANGES[inputRange as InputRange], from: `--input-range ${inputRange}` };
  const input = model.tensors[model.inputs[0]!]!;
  const q = input.quantization;
  if ((input.type === TENSOR_TYPE.UINT8 || input.type === TENSOR_TYPE.INT8) && q && q.scale.length === 1) {
    // An int8 input holds pixel − 128.
    const zeroPoint = (q.zeroPoint[0] ?? 0) + (input.type === TENSOR_TYPE.INT8 ? 128 : 0);
    return { scale: q.scale[0]!, offset: -zeroPoint * q.scale[0]!, from: 'the input quantization' };
  }
  const normalization = model.inputNormalization;
  if (normalization && new Set(normalization.mean).size === 1 && new Set(normalization.std).size === 1) {
    return { scale: 1 / normalization.std[0]!, offset: -normalization.mean[0]! / normalization.std[0]!, from: 'the model metadata' };
  }
  throw new BackboneError(`${file}: its float input does not say which pixel range it expects: pass --input-range=<range> (${Object.keys(INPUT_RANGES).join(' | ')}; ImageNet TFLite models usually take --input-range=-1,1)`);
}

/** Read a TFLite file and convert it up to the feature tensor `layer`. */
export function convertTflite(bytes: Uint8Array, layer: string, inputRange: string, file: string): { converted: ConvertedTflite; scaling: ReturnType<typeof tfliteInputScaling> } {
  const model = readTflite(bytes, file);
  if (!layer) {
    const pools = model.tensors.filter((tensor) => /pool/i.test(tensor.name)).map((tensor) => tensor.name);
    throw new BackboneError(`extract --model ${file} needs --layer <feature tensor>${pools.length ? ` (pooled tensors in this model: ${pools.slice(-3).join(', ')})` : ''}`);
  }
  return { converted: tfliteToOnnx(model, layer, file), scaling: tfliteInputScaling(model, inputRange, file) };
}
