import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { BackboneError, stableStringify, writeFileAtomic } from '@graft/core';
import type { LoadedBackbone } from '../backbones/load-backbone.js';
import { ENGINES, type EngineName, type FeatureEngine } from './engine.js';
import { createOnnxRuntimeWorkerEngine } from './onnxruntime-worker-engine.js';

/** Largest feature difference between the ONNX export and tfjs that Graft accepts. */
export const ONNX_TOLERANCE = 1e-3;

export interface EngineOptions {
  /** `auto` or one engine name. */
  readonly choice: string;
  readonly threads: number;
  /** Folder of exported ONNX models (`<out>/cache/onnx`). */
  readonly onnxCacheDir: string;
  /** A few real preprocessed images to check the ONNX export against tfjs. */
  readonly sampleBatch: () => Promise<{ batch: Float32Array; n: number }>;
  readonly log: (message: string) => void;
}

export interface OpenedEngine {
  readonly engine: FeatureEngine;
  /** For onnxruntime on a tfjs backbone: max |ORT − tfjs| over the check images. */
  readonly onnxCheck?: OnnxCheck;
  /** Engines tried before this one and why they failed. */
  readonly fallbacks: string[];
}

export interface OnnxCheck {
  readonly maxAbsDiff: number;
  readonly images: number;
  readonly tfjsEngine: string;
}

/** Open the requested engine, or with `auto` the first of tfjs-node, onnxruntime, tfjs-wasm, tfjs-cpu that works. */
export async function openEngine(backbone: LoadedBackbone, options: EngineOptions): Promise<OpenedEngine> {
  if (backbone.format === 'onnx') {
    // A converted TFLite graph exists only as ONNX: onnxruntime is its one engine.
    if (options.choice !== 'auto' && options.choice !== 'onnxruntime') throw new BackboneError(`engine ${options.choice}: backbone ${backbone.id} is a TFLite network converted to ONNX and runs on onnxruntime only (--engine auto or onnxruntime)`);
    const engineOptions = { threads: options.threads, inputSize: backbone.preprocessing.size, featureDim: backbone.featureDim };
    return { engine: await createOnnxRuntimeWorkerEngine(await backbone.onnxModel(), engineOptions), fallbacks: [] };
  }
  if (backbone.format === 'tfjs-graph' && options.choice === 'onnxruntime') throw new BackboneError(`engine onnxruntime: backbone ${backbone.id} is a tfjs graph model and runs on the tfjs engines (tfjs-node, tfjs-wasm, tfjs-cpu)`);
  // A tfjs graph model has no ONNX form: auto goes straight to the tfjs engines.
  const candidates: EngineName[] = options.choice === 'auto' ? ENGINES.filter((name) => backbone.format === 'tfjs' || name !== 'onnxruntime') : [options.choice as EngineName];
  const fallbacks: string[] = [];
  for (const name of candidates) {
    try {
      if (name === 'onnxruntime') {
        const { engine, check } = await openOnnxRuntime(backbone, options);
        return { engine, onnxCheck: check, fallbacks };
      }
      // tfjs loads only for a tfjs engine, and its backend first: building the tfjs model costs
      // seconds, wasted when the backend cannot load (tfjs-node not installed).
      if (name === 'tfjs-node' && !tfjsNodeInstalled()) throw new Error('@tensorflow/tfjs-node is not installed (an optional dependency: its install downloads libtensorflow)');
      const [{ useTfjsBackend }, { createTfjsEngine, TFJS_BACKEND_OF }] = await Promise.all([import('@graft/tf'), import('./tfjs-engine.js')]);
      await useTfjsBackend(TFJS_BACKEND_OF[name]);
      return { engine: await createTfjsEngine(name, await backbone.tfjsFeatures(), backbone.preprocessing.size), fallbacks };
    } catch (error) {
      const reason = `${name}: ${(error as Error).message.split('\n')[0]}`;
      if (options.choice !== 'auto') throw new BackboneError(`engine ${reason}`, { cause: error });
      fallbacks.push(reason);
    }
  }
  throw new BackboneError(`no inference engine could run (${fallbacks.join('; ')})`);
}

/** Whether @graft/tf's optional dependency tfjs-node is installed (checked without loading tfjs). */
function tfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.resolve('@graft/tf')).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** The recorded check of the ONNX export of a backbone, if it was ever exported. */
export async function readOnnxCheck(onnxCacheDir: string, cacheKey: string): Promise<OnnxCheck | undefined> {
  try {
    return JSON.parse(await readFile(join(onnxCacheDir, `${cacheKey}.check.json`), 'utf8')) as OnnxCheck;
  } catch {
    return undefined;
  }
}

/**
 * onnxruntime needs an ONNX file: exported once from the tfjs model, checked against tfjs on real
 * images, and cached with the check's result next to it.
 */
async function openOnnxRuntime(backbone: LoadedBackbone, options: EngineOptions): Promise<{ engine: FeatureEngine; check: OnnxCheck }> {
  const onnxPath = join(options.onnxCacheDir, `${backbone.cacheKey}.onnx`);
  const checkPath = join(options.onnxCacheDir, `${backbone.cacheKey}.check.json`);
  const engineOptions = { threads: options.threads, inputSize: backbone.preprocessing.size, featureDim: backbone.featureDim };
  if (existsSync(onnxPath) && existsSync(checkPath)) {
    const check = JSON.parse(await readFile(checkPath, 'utf8')) as OnnxCheck;
    return { engine: await createOnnxRuntimeWorkerEngine(await readFile(onnxPath), engineOptions), check };
  }
  const started = performance.now();
  const featureModel = await backbone.featureModel();
  const [{ exportLayersModelToOnnx }, { createTfjsEngine }] = await Promise.all([import('../onnx/export-layers-model.js'), import('./tfjs-engine.js')]);
  const onnxBytes = exportLayersModelToOnnx(featureModel);
  const engine = await createOnnxRuntimeWorkerEngine(onnxBytes, engineOptions);
  const { batch, n } = await options.sampleBatch();
  const tfjs = await createTfjsEngine('tfjs-wasm', featureModel, backbone.preprocessing.size).catch(() => createTfjsEngine('tfjs-cpu', featureModel, backbone.preprocessing.size));
  const [expected, actual] = [await tfjs.infer(batch, n), await engine.infer(batch, n)];
  let maxAbsDiff = 0;
  for (let i = 0; i < expected.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(expected[i]! - actual[i]!));
  const check: OnnxCheck = { maxAbsDiff, images: n, tfjsEngine: tfjs.name };
  if (!(maxAbsDiff <= ONNX_TOLERANCE)) {
    await engine.dispose();
    throw new Error(`ONNX export differs from tfjs by ${maxAbsDiff} (> ${ONNX_TOLERANCE}) on ${n} images`);
  }
  await writeFileAtomic(onnxPath, onnxBytes);
  await writeFileAtomic(checkPath, stableStringify(check, 2));
  options.log(`extract: exported ${backbone.id} to ONNX in ${((performance.now() - started) / 1000).toFixed(1)}s; max |onnxruntime − ${tfjs.name}| = ${maxAbsDiff.toExponential(2)} on ${n} images`);
  return { engine, check };
}
