import { tf, useTfjsBackend } from '@graft/tf';
import { loadBackbone } from '@graft/extract';
import { cutLayer, lowerModel, upperModel, registerWasmGradients } from '@graft/finetune';
const backend = await useTfjsBackend();
registerWasmGradients();
const id = process.argv[2] ?? 'mobilenet_v2'; const layer = process.argv[3] ?? 'flatten_1'; const blocks = Number(process.argv[4] ?? 2);
const net = await (await loadBackbone({ backbone: id, model: '', layer: '', inputRange: '' })).featureModel();
const cut = cutLayer(net, layer, blocks);
const upper = upperModel(net, cut, layer).model;
const shape = upper.inputs[0].shape.slice(1);
console.log(backend, cut, shape, upper.trainableWeights.length);
const n = Number(process.env.N ?? 16);
const x = tf.randomNormal([n, ...shape]);
const vars = upper.trainableWeights.map(w => w.read());
for (let r = 0; r < 2; r++) {
  let t = performance.now();
  tf.tidy(() => upper.apply(x, { training: false }).dataSync());
  const f = performance.now() - t; t = performance.now();
  const run = () => { const { value, grads } = tf.variableGrads(() => tf.sum(upper.apply(x, { training: false })), vars); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); }; const prof = process.env.NOPROF ? (run(), { kernels: [] }) : await tf.profile(run);
  const g = performance.now() - t;
  console.log(`fwd ${f.toFixed(0)} ms, fwd+bwd ${g.toFixed(0)} ms per ${n}`);
  if (r === 1) {
    const by = new Map();
    for (const k of prof.kernels) { const ms = await k.kernelTimeMs; const e = by.get(k.name) ?? [0, 0]; e[0] += typeof ms === 'number' ? ms : 0; e[1]++; by.set(k.name, e); }
    console.log([...by].sort((a, b) => b[1][0] - a[1][0]).slice(0, 15).map(([k, [ms, c]]) => `${k} ${ms.toFixed(0)}ms x${c}`).join('\n'));
  }
}
