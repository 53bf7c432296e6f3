/**
 * Speed of head training, measured in one run against baselines on the same machine:
 * - 4000 SGD steps of batch 100 on 1280-d features, 10 classes: Graft's kernels vs the tfjs loop
 *   Graft used before (the seed's way);
 * - the L-BFGS solver on 10 000 × 1280, 10 classes, one fixed L2, and with L2 chosen by 5-fold
 *   cross-validation over 13 strengths; scikit-learn's lbfgs on the same rows where present;
 * - the kernels' throughput against plain JavaScript loops.
 *
 *   npm run build && node bench/dist/head-speed.js [--rows 10000] [--json]
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@graft/core';
import { Workspace } from '@graft/linalg';
import { defaultTrainingOptions, trainHead, type LabelledFeatures } from '@graft/train';
import { tfjsSgdSeconds } from './head/tfjs-sgd-baseline.js';
import { findPython } from './head/reference.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } } });
const [dimension, classCount, rows] = [1280, 10, Number(values.rows)];
const defaults = defaultTrainingOptions();
const figures: Record<string, number | string> = {};
const say = (line: string) => values.json || process.stdout.write(`${line}\n`);

/** Overlapping Gaussian classes with uneven per-dimension scales, like pooled CNN features. */
function syntheticFeatures(count: number, seed: number): LabelledFeatures {
  const random = new SeededRandom(seed);
  const centres = Array.from({ length: classCount }, () => Float32Array.from({ length: dimension }, () => random.normal() * 0.15));
  const scale = Float32Array.from({ length: dimension }, () => 0.05 + random.next() * 0.2);
  const features = new Float32Array(count * dimension);
  const labels = Int32Array.from({ length: count }, (_, i) => i % classCount);
  for (let i = 0; i < count; i++) for (let d = 0; d < dimension; d++) features[i * dimension + d] = Math.max(0, 0.1 + scale[d]! * (centres[labels[i]!]![d]! + random.normal()));
  return { features, labels, paths: Array.from({ length: count }, (_, i) => `img${i}`), count, dimension };
}

const time = <T>(run: () => T): [T, number] => {
  const started = performance.now();
  const result = run();
  return [result, (performance.now() - started) / 1000];
};

// 1. 4000 SGD steps of batch 100 (retrain.py's loop), 2000 training rows.
const small = syntheticFeatures(2000, 1);
const empty = syntheticFeatures(0, 2);
const [, sgdSeconds] = time(() => trainHead(small, empty, { ...defaults, classCount, optimizer: 'sgd', standardize: false, l2: '0' }));
const baseline = await tfjsSgdSeconds(small, classCount, 4000, 100);
Object.assign(figures, { sgdSeconds, tfjsSgdSeconds: baseline.seconds, tfjsBackend: baseline.backend, sgdSpeedup: baseline.seconds / sgdSeconds });
say(`4000 SGD steps, batch 100, ${dimension}-d, ${classCount} classes: Graft ${sgdSeconds.toFixed(2)} s; tfjs loop (${baseline.backend}) ${baseline.seconds.toFixed(2)} s → ${(baseline.seconds / sgdSeconds).toFixed(1)}× faster`);

// 2. L-BFGS on rows × 1280, fixed L2 and L2 by cross-validation.
const large = syntheticFeatures(rows, 3);
const [fixed, lbfgsSeconds] = time(() => trainHead(large, empty, { ...defaults, classCount, l2: '0.0001' }));
Object.assign(figures, { lbfgsSeconds, lbfgsIterations: fixed.solver!.iterations, lbfgsGradientNorm: fixed.solver!.gradientNorm, lbfgsStop: fixed.solver!.stop });
say(`L-BFGS, ${rows} × ${dimension}, ${classCount} classes, l2 1e-4: ${lbfgsSeconds.toFixed(2)} s, ${fixed.solver!.iterations} iterations, ${fixed.solver!.evaluations} evaluations (${fixed.solver!.stop}, max |gradient| ${fixed.solver!.gradientNorm.toExponential(1)}), ${(1000 * lbfgsSeconds / fixed.solver!.evaluations).toFixed(1)} ms per evaluation`);
const [chosen, cvSeconds] = time(() => trainHead(large, empty, { ...defaults, classCount }));
Object.assign(figures, { cvSeconds, cvChosenL2: chosen.l2, cvFits: chosen.selection!.candidates.length * chosen.selection!.folds + 1 });
say(`L-BFGS with l2 chosen by 5-fold cross-validation over 13 strengths (${figures.cvFits} fits): ${cvSeconds.toFixed(1)} s (chose ${chosen.l2})`);

const python = findPython();
if (python) {
  const folder = mkdtempSync(join(tmpdir(), 'graft-speed-'));
  writeFileSync(join(folder, 'x.f32'), large.features);
  writeFileSync(join(folder, 'y.i32'), large.labels);
  const script = `
import numpy as np, time, sys, warnings
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
x = np.fromfile(sys.argv[1] + '/x.f32', dtype=np.float32).reshape(-1, ${dimension}); y = np.fromfile(sys.argv[1] + '/y.i32', dtype=np.int32)
x = StandardScaler().fit_transform(x)
started = time.perf_counter()
m = LogisticRegression(C=1 / (2 * 0.0001 * len(y)), max_iter=1000, tol=1e-4).fit(x, y)
print(time.perf_counter() - started, m.n_iter_[0])`;
  const result = spawnSync(python, ['-c', script, folder], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2', OPENBLAS_NUM_THREADS: '2' } });
  rmSync(folder, { recursive: true, force: true });
  const [seconds, iterations] = result.stdout.trim().split(/\s+/).map(Number);
  Object.assign(figures, { sklearnSeconds: seconds!, sklearnIterations: iterations! });
  say(`scikit-learn LogisticRegression(lbfgs) on the same standardized rows, same L2 and tolerance (1e-4), 2 BLAS threads: ${seconds!.toFixed(2)} s, ${iterations} iterations → Graft ${(seconds! / lbfgsSeconds).toFixed(2)}× its speed`);
} else {
  say('scikit-learn: skipped (no Python with scikit-learn: apt-get install python3-sklearn)');
}

// 3. Kernel throughput on rows × 1280 · 1280 × 10, against plain JavaScript loops.
const workspace = new Workspace();
const x = workspace.matrixOf(large.features, rows, dimension);
const w = workspace.matrixOf(syntheticFeatures(classCount, 4).features, classCount, dimension);
const z = workspace.matrix(rows, classCount);
const all = workspace.identity(rows);
const flops = 2 * rows * dimension * classCount;
const best = (run: () => void) => Math.min(...Array.from({ length: 5 }, () => time(run)[1]));
const dotSeconds = best(() => workspace.dot(x, all, w, z));
const gradient = workspace.matrix(classCount, dimension);
const axpySeconds = best(() => workspace.axpy(gradient, { ptr: z.ptr, strideOut: 1, strideSource: z.ld }, x, all));
const weights = Float64Array.from(syntheticFeatures(classCount, 4).features);
const logits = new Float64Array(rows * classCount);
const jsSeconds = best(() => {
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < classCount; c++) {
      let sum = 0;
      for (let d = 0; d < dimension; d++) sum += large.features[i * dimension + d]! * weights[c * dimension + d]!;
      logits[i * classCount + c] = sum;
    }
  }
});
Object.assign(figures, { dotGflops: flops / dotSeconds / 1e9, axpyGflops: flops / axpySeconds / 1e9, javascriptGflops: flops / jsSeconds / 1e9 });
say(`kernels on ${rows} × ${dimension} · ${dimension} × ${classCount}: dot ${(flops / dotSeconds / 1e9).toFixed(1)} GFLOP/s, axpy (gradient) ${(flops / axpySeconds / 1e9).toFixed(1)} GFLOP/s; plain JavaScript loop ${(flops / jsSeconds / 1e9).toFixed(2)} GFLOP/s → ${(jsSeconds / dotSeconds).toFixed(1)}×`);
if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
