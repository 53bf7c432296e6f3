/**
 * What onnxruntime's settings do to a backbone's bare rate, against the machine's peak measured in
 * the same run (issue 17, item 6). Rounds alternate the peak and every setting, so a busy machine
 * slows them alike; each figure is the best batch (contention only slows a run down) and the median.
 *
 *   node bench/dist/extract/ort-settings.js [--backbone inception_v3] [--rounds 3] [--batches 2]
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { countFlops, loadBackbone, openEngine } from '@graft/extract';
import { REPO_ROOT } from '../project-copy.js';
import { machinePeak } from './machine-peak.js';

const { values } = parseArgs({ options: { backbone: { type: 'string', default: 'inception_v3' }, rounds: { type: 'string', default: '3' }, batches: { type: 'string', default: '2' }, threads: { type: 'string', default: '2' } } });
const threads = Number(values.threads);
const backbone = await loadBackbone({ backbone: values.backbone!, model: '', layer: '', inputRange: '0,1' });
const size = backbone.preprocessing.size;
const gflop = countFlops(await backbone.featureModel()) / 1e9;
const onnxDir = join(REPO_ROOT, 'artifacts', 'bench', `out-${values.backbone}`, 'cache', 'onnx');
mkdirSync(onnxDir, { recursive: true });
const sample = { batch: new Float32Array(4 * size * size * 3).fill(0.5), n: 4 };
await (await openEngine(backbone, { choice: 'onnxruntime', threads, onnxCacheDir: onnxDir, sampleBatch: async () => sample, log: () => undefined })).engine.dispose();
const onnx = readFileSync(join(onnxDir, `${backbone.cacheKey}.onnx`));

const base = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: threads, interOpNumThreads: 1 } as const;
const noSpin = { session: { intra_op: { allow_spinning: '0' } } };
const SETTINGS: Record<string, { batch: number; options: object }> = {
  'graft (all, no spinning, batch 16)': { batch: 16, options: { ...base, extra: noSpin } },
  'spinning': { batch: 16, options: base },
  'optimization extended': { batch: 16, options: { ...base, graphOptimizationLevel: 'extended', extra: noSpin } },
  'denormals as zero': { batch: 16, options: { ...base, extra: { session: { ...noSpin.session, set_denormal_as_zero: '1' } } } },
  'batch 4': { batch: 4, options: { ...base, extra: noSpin } },
  'batch 32': { batch: 32, options: { ...base, extra: noSpin } },
  '1 thread': { batch: 16, options: { ...base, intraOpNumThreads: 1, extra: noSpin } },
};

const sessions = new Map<string, ort.InferenceSession>();
for (const [name, setting] of Object.entries(SETTINGS)) sessions.set(name, await ort.InferenceSession.create(onnx, setting.options as ort.InferenceSession.SessionOptions));
const rates = new Map<string, number[]>();
let peak = { gflops: 0, source: '' };
for (let round = 0; round < Number(values.rounds); round++) {
  const measured = await machinePeak(threads, join(REPO_ROOT, 'artifacts', 'bench', 'blas'));
  if (measured.gflops > peak.gflops) peak = measured;
  for (const [name, { batch }] of Object.entries(SETTINGS)) {
    const session = sessions.get(name)!;
    const input = new ort.Tensor('float32', new Float32Array(batch * size * size * 3).map((_, i) => ((i * 7919) % 255) / 255), [batch, size, size, 3]);
    await session.run({ [session.inputNames[0]!]: input });
    for (let i = 0; i < Math.max(1, Math.round((Number(values.batches) * 16) / batch)); i++) {
      const started = performance.now();
      await session.run({ [session.inputNames[0]!]: input });
      rates.set(name, [...(rates.get(name) ?? []), batch / ((performance.now() - started) / 1000)]);
    }
  }
}
const rows = [...rates].map(([setting, xs]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const best = sorted[sorted.length - 1]!;
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { setting, best_img_per_s: round(best), median_img_per_s: round(median), best_gflops: round(best * gflop), best_over_peak: round((best * gflop) / peak.gflops, 3), median_over_peak: round((median * gflop) / peak.gflops, 3) };
});
for (const row of rows) process.stderr.write(`${row.setting.padEnd(36)} best ${String(row.best_img_per_s).padStart(7)} img/s = ${row.best_gflops} GFLOP/s (${row.best_over_peak} of peak), median ${row.median_img_per_s} img/s (${row.median_over_peak})\n`);
process.stdout.write(`${JSON.stringify({ backbone: values.backbone, threads, gflop_per_image: round(gflop), peak_gflops: round(peak.gflops), peak_source: peak.source, settings: rows })}\n`);
for (const session of sessions.values()) await session.release();

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
