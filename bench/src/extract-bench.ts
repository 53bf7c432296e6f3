/**
 * Extraction benchmark: bare network vs end-to-end vs the seed's naive loop, against the machine's
 * matrix-multiply peak; peak RSS at two dataset sizes; turbo cold / warm / incremental times.
 *
 *   npm run bench                      # synthesized 2k-image dataset from the demo images
 *   npm run bench -- <folder> --json   # any class-folder dataset; one JSON object per backbone
 *
 * Options: --backbones a,b (default inception_v3,mobilenet_v2)  --images N (synthesized size, 2000)
 * --rss 2000,20000 (sizes for the memory check)  --rss-backbones inception_v3,mobilenet_v2  --naive-images 40
 * --no-turbo  --no-rss  --no-peer (skip the PyTorch peer: torchvision's same networks, when Python has torch)
 * --no-cli (skip timing `graft --help`, `graft status` and `graft inspect`)  --e2e-runs N (end-to-end runs per backbone, the best counts; 2)
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuCount } from '@graft/core';
import { countFlops, createTfjsEngine, loadBackbone, openEngine } from '@graft/extract';
import { REPO_ROOT } from './project-copy.js';
import { synthesizeDataset } from './extract/synthesize-dataset.js';
import { machinePeak } from './extract/machine-peak.js';
import { matmulGflops } from './extract/matmul-peak.js';
import { bareNetworkRate } from './extract/bare-network.js';
import { naiveRate } from './extract/naive-baseline.js';
import { measureCommand } from './extract/measure-command.js';
import { memoryPhases, type MemoryPhase } from './extract/memory-phases.js';
import { incrementalTurbo, stageBreakdown, type TurboTimes } from './extract/incremental-turbo.js';
import { comparePeer, pytorchPeer } from './extract/pytorch-peer.js';
import { cliStartupTimes, formatCliStartup } from './extract/cli-startup.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean' }, backbones: { type: 'string', default: 'inception_v3,mobilenet_v2' }, images: { type: 'string', default: '2000' },
    rss: { type: 'string', default: '2000,20000' }, 'rss-backbones': { type: 'string', default: 'inception_v3,mobilenet_v2' }, 'naive-images': { type: 'string', default: '40' },
    'no-turbo': { type: 'boolean' }, 'no-rss': { type: 'boolean' }, 'no-peer': { type: 'boolean' }, 'no-cli': { type: 'boolean' }, threads: { type: 'string' }, 'batch-size': { type: 'string', default: '16' }, 'e2e-runs': { type: 'string', default: '2' },
  },
});
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const benchDir = join(REPO_ROOT, 'artifacts', 'bench');
const demo = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
const threads = Number(values.threads ?? cpuCount());
const batchSize = Number(values['batch-size']);
const graftCli = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
const synth = (count: number, seed = 1) => synthesizeDataset(demo, join(benchDir, `synth-${count}${seed === 1 ? '' : `-seed${seed}`}`), count, seed);

const dataset = positionals[0] ? resolve(positionals[0]) : await synth(Number(values.images));
log(`dataset ${dataset}; ${threads} threads; batch ${batchSize}`);
const peak = await machinePeak(threads, join(benchDir, 'blas'));
const matmulPeak = peak.gflops;
log(`float32 matmul peak (${threads} threads): ${matmulPeak.toFixed(1)} GFLOP/s by ${peak.source}; onnxruntime ${JSON.stringify(peak.onnxruntime.bySize)}${peak.blas ? `, ${peak.blas.source} ${JSON.stringify(peak.blas.bySize)}` : ', no BLAS found'}${peak.fmaCeiling ? `; FMA ceiling of the cores ${peak.fmaCeiling.toFixed(1)} GFLOP/s` : ''}`);

/** Run `graft extract` on a dataset into a fresh folder (ONNX export done beforehand): time, RSS, rate. */
function extractRun(data: string, backbone: string, label: string) {
  const out = join(benchDir, `out-${label}`);
  rmSync(join(out, 'cache', 'features'), { recursive: true, force: true });
  rmSync(join(out, 'extract'), { recursive: true, force: true });
  measureCommand(process.execPath, [graftCli, 'split', '--data', data, '--out', out, '--quiet']);
  const args = [graftCli, 'extract', '--data', data, '--out', out, '--backbone', backbone, '--threads', String(threads), '--inference-batch-size', String(batchSize), '--json', '--quiet'];
  const measured = measureCommand(process.execPath, args, { env: { GRAFT_TRACE_MEMORY: '1' } });
  const summary = JSON.parse(measured.stdout) as { images: number; engine: string };
  return { ...measured, images: summary.images, engine: summary.engine, out, memoryPhases: memoryPhases(measured.stderr) };
}

const results: Record<string, unknown>[] = [];
const peakSize = Number(Object.entries(peak.onnxruntime.bySize).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0]);
const peakRechecks: number[] = [];
let peakSeen = matmulPeak;
for (const backboneId of values.backbones!.split(',')) {
  const backbone = await loadBackbone({ backbone: backboneId, model: '', layer: '', inputRange: '0,1' });
  const gflopsPerImage = countFlops(await backbone.featureModel()) / 1e9;
  const out = join(benchDir, `out-${backboneId}`);
  mkdirSync(join(out, 'cache', 'onnx'), { recursive: true });
  const sample = { batch: new Float32Array(4 * backbone.preprocessing.size ** 2 * 3).fill(0.5), n: 4 };
  const opened = await openEngine(backbone, { choice: 'auto', threads, onnxCacheDir: join(out, 'cache', 'onnx'), sampleBatch: async () => sample, log });
  const bare = await bareNetworkRate(opened.engine, backbone.preprocessing.size, batchSize, Math.max(64, 4 * batchSize));
  log(`${backboneId}: bare network ${bare.toFixed(1)} img/s on ${opened.engine.name} = ${(bare * gflopsPerImage).toFixed(1)} GFLOP/s`);
  const naiveSameEngine = await naiveRate(opened.engine, dataset, backbone.preprocessing, join(benchDir, `naive-${backboneId}-${opened.engine.name}`), Number(values['naive-images']));
  await opened.engine.dispose();
  const seedEngine = await createTfjsEngine('tfjs-wasm', await backbone.featureModel(), backbone.preprocessing.size);
  const naive = await naiveRate(seedEngine, dataset, backbone.preprocessing, join(benchDir, `naive-${backboneId}-tfjs-wasm`), Number(values['naive-images']));
  log(`${backboneId}: naive (1 image per call, text files) ${naive.rate.toFixed(2)} img/s on tfjs-wasm, ${naiveSameEngine.rate.toFixed(2)} img/s on ${opened.engine.name}`);
  // On a shared machine a neighbour only slows a run down: the peak is measured again right after
  // the bare network (same size that won), and the end-to-end run is the best of --e2e-runs.
  const recheck = await matmulGflops(threads, peakSize, 6);
  peakRechecks.push(round(recheck));
  peakSeen = Math.max(peakSeen, recheck);
  const runs = Array.from({ length: Math.max(1, Number(values['e2e-runs'])) }, () => extractRun(dataset, backboneId, backboneId));
  const endToEnd = runs.reduce((best, run) => (run.seconds < best.seconds ? run : best));
  const endToEndRate = endToEnd.images / endToEnd.seconds;
  log(`${backboneId}: end to end ${endToEnd.images} images in ${endToEnd.seconds.toFixed(1)}s = ${endToEndRate.toFixed(1)} img/s (best of ${runs.map((run) => run.seconds.toFixed(1)).join(', ')} s), peak RSS ${endToEnd.peakRssMb.toFixed(0)} MB; matmul peak re-measured ${recheck.toFixed(1)} GFLOP/s`);
  const peer = values['no-peer'] ? undefined : comparePeer(pytorchPeer(backboneId, dataset, { threads }), { bare, endToEnd: endToEndRate });
  if (peer) log(`${backboneId}: ${peer.line}`);
  results.push({
    backbone: backboneId, engine: endToEnd.engine, images: endToEnd.images, threads, batch_size: batchSize,
    gflop_per_image: Number(gflopsPerImage.toFixed(2)),
    bare_img_per_s: round(bare), bare_gflops: round(bare * gflopsPerImage), matmul_peak_gflops: round(matmulPeak), matmul_peak_source: peak.source,
    end_to_end_img_per_s: round(endToEndRate), end_to_end_seconds: round(endToEnd.seconds),
    naive_img_per_s: round(naive.rate), naive_engine: 'tfjs-wasm', naive_images: naive.images, naive_same_engine_img_per_s: round(naiveSameEngine.rate),
    ratio_end_to_end_over_bare: round(endToEndRate / bare, 3), ratio_bare_over_peak: round((bare * gflopsPerImage) / matmulPeak, 3),
    ratio_over_naive: round(endToEndRate / naive.rate, 1), ratio_over_naive_same_engine: round(endToEndRate / naiveSameEngine.rate, 2),
    peak_rss_mb: round(endToEnd.peakRssMb, 0), memory_phases: endToEnd.memoryPhases, ...peer?.fields,
  });
}

// The peak is the best matrix-multiply rate seen in the whole run: bare/peak uses it for every backbone.
for (const row of results) {
  row.matmul_peak_gflops = round(peakSeen);
  row.matmul_peak_rechecks = peakRechecks;
  row.ratio_bare_over_peak = round((row.bare_gflops as number) / peakSeen, 3);
  if (peak.fmaCeiling) Object.assign(row, { fma_ceiling_gflops: round(peak.fmaCeiling), ratio_bare_over_fma_ceiling: round((row.bare_gflops as number) / peak.fmaCeiling, 3) });
}
if (peakSeen > matmulPeak) log(`float32 matmul peak: ${peakSeen.toFixed(1)} GFLOP/s (re-measured after the bare networks: ${peakRechecks.join(', ')}; first ${matmulPeak.toFixed(1)})`);

const rss: { backbone: string; images: number; peak_rss_mb: number; seconds: number; memory_phases: MemoryPhase[] }[] = [];
if (!values['no-rss']) {
  for (const backbone of values['rss-backbones']!.split(',')) {
    for (const size of values.rss!.split(',').map(Number)) {
      const run = extractRun(await synth(size), backbone, `rss-${backbone}-${size}`);
      rss.push({ backbone, images: run.images, peak_rss_mb: round(run.peakRssMb, 0), seconds: round(run.seconds), memory_phases: run.memoryPhases });
      log(`peak RSS extracting ${run.images} images with ${backbone}: ${run.peakRssMb.toFixed(0)} MB (${run.seconds.toFixed(1)}s); by phase: ${run.memoryPhases.map((p) => `${p.phase} ${p.peak_rss_mb}`).join(', ')}`);
    }
  }
}

let turbo: (TurboTimes & { ratio_incremental_over_cold: number; backbone: string }) | undefined;
if (!values['no-turbo']) {
  const turboBackbone = values.backbones!.split(',')[0]!;
  const additions = await synth(Math.max(1, Math.round(Number(values.images) / 100)), 2);
  const times = incrementalTurbo(dataset, additions, { backbone: turboBackbone, threads, 'inference-batch-size': batchSize });
  turbo = { ...times, backbone: turboBackbone, ratio_incremental_over_cold: round(times.incrementalSeconds / times.coldSeconds, 3) };
  log(`turbo run evaluate (${turboBackbone}, ${times.images} images): cold ${times.coldSeconds.toFixed(1)}s, warm ${times.warmSeconds.toFixed(1)}s, +${times.addedImages} images ${times.incrementalSeconds.toFixed(1)}s (${(100 * turbo.ratio_incremental_over_cold).toFixed(1)} % of cold)`);
  log(`turbo tasks, cold / after adding: ${stageBreakdown(times)}`);
}

const cliStartup = values['no-cli'] ? undefined : cliStartupTimes(graftCli, { data: demo, out: join(benchDir, 'out-cli-startup') });
if (cliStartup) log(formatCliStartup(cliStartup));

if (values.json) {
  for (const row of results) process.stdout.write(`${JSON.stringify({ ...row, rss_scaling: rss, turbo, cli_startup: cliStartup })}\n`);
} else {
  const header = ['backbone', 'engine', 'images', 'bare img/s', 'bare GFLOP/s', 'peak GFLOP/s', 'e2e img/s', 'naive img/s', 'e2e/bare', 'bare/peak', 'x naive', 'peak RSS MB'];
  const rows = results.map((r) => [r.backbone, r.engine, r.images, r.bare_img_per_s, r.bare_gflops, r.matmul_peak_gflops, r.end_to_end_img_per_s, r.naive_img_per_s, r.ratio_end_to_end_over_bare, r.ratio_bare_over_peak, r.ratio_over_naive, r.peak_rss_mb].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) process.stdout.write(`${row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}\n`);
  for (const r of rss) process.stdout.write(`peak RSS, ${r.backbone}, ${r.images} images: ${r.peak_rss_mb} MB\n`);
  if (turbo) process.stdout.write(`turbo run evaluate, ${turbo.backbone}, ${turbo.images} images: cold ${turbo.coldSeconds.toFixed(1)} s, warm ${turbo.warmSeconds.toFixed(1)} s, after adding ${turbo.addedImages} images ${turbo.incrementalSeconds.toFixed(1)} s (${(100 * turbo.ratio_incremental_over_cold).toFixed(1)} % of cold)\n  per task, cold / after adding: ${stageBreakdown(turbo)}\n`);
  if (cliStartup) process.stdout.write(`${formatCliStartup(cliStartup)}\n`);
  process.stdout.write(`${JSON.stringify({ results, rss_scaling: rss, turbo, cli_startup: cliStartup })}\n`);
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
