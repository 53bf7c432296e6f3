/**
 * Cost of one fine-tuning step on this machine: forward, and forward + backward through the
 * unfrozen top blocks of a bundled backbone, per image, on the tfjs backend Graft picks (wasm here),
 * with Graft's gradient kernels and frozen BatchNorm. Prints one JSON line.
 *
 *   npm run build && node bench/dist/finetune-step-bench.js [backbone] [blocks] [batch]
 *   node bench/dist/finetune-step-bench.js mobilenet_v2 2 16
 */
import { loadBackbone } from '@graft/extract';
import { cutLayer, registerWasmGradients, upperModel } from '@graft/finetune';
import { tf, useTfjsBackend } from '@graft/tf';

const [id = 'mobilenet_v2', blocksArg = '2', batchArg = '16'] = process.argv.slice(2);
const backend = await useTfjsBackend();
if (backend === 'wasm') registerWasmGradients();
const backbone = await loadBackbone({ backbone: id, model: '', layer: '', inputRange: '' });
const featureModel = await backbone.featureModel();
const blocks = Number(blocksArg);
const batch = Number(batchArg);
const cut = cutLayer(featureModel, backbone.layer, blocks);
const upper = upperModel(featureModel, cut, backbone.layer).model;
const shape = upper.inputs[0]!.shape.slice(1) as number[];
const x = tf.randomNormal([batch, ...shape], 0, 1, 'float32', 1);
const variables = upper.trainableWeights.map((weight) => weight.read() as tf.Variable);
const forward = () => tf.tidy(() => void (upper.apply(x, { training: false }) as tf.Tensor).dataSync());
const step = () => {
  const { value, grads } = tf.variableGrads(() => tf.sum(upper.apply(x, { training: false }) as tf.Tensor) as tf.Scalar, variables);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
};
const timed = (run: () => void, repeats: number) => {
  run(); // warm-up
  const started = performance.now();
  for (let i = 0; i < repeats; i++) run();
  return (performance.now() - started) / repeats / batch;
};
const forwardMs = timed(forward, 3);
const stepMs = timed(step, 3);
console.log(JSON.stringify({ backbone: id, blocks, cut, backend, batch, activation_shape: shape, forward_ms_per_image: +forwardMs.toFixed(1), step_ms_per_image: +stepMs.toFixed(1), step_over_forward: +(stepMs / forwardMs).toFixed(2) }));
