import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKBONES, OnnxGraphBuilder, pinnedFileBytes, readTflite, tfliteToOnnx } from '@graft/extract';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { REPO_ROOT } from './helpers/project-copy.js';
import { serveFolder } from './helpers/serve-folder.js';
import { HAVE_SHARED_MODELS, SHARED_MODELS_NOTE, TFLITE_DIR } from './helpers/shared-models.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
const V1 = BACKBONES.mobilenet_v1_imagenet;
/** A port nothing listens on: the pinned URL's host, unreachable (as offline). */
const UNREACHABLE = 'http://127.0.0.1:9';

describe.skipIf(!HAVE_SHARED_MODELS)(`ImageNet backbones from pinned files${SHARED_MODELS_NOTE}`, () => {
  let served: Awaited<ReturnType<typeof serveFolder>>;
  beforeAll(async () => {
    served = await serveFolder(TFLITE_DIR);
  });
  afterAll(() => new Promise<void>((resolve) => served.server.close(() => resolve())));

  it('downloads a pinned file once (sha256 checked), then serves it from the cache; a mirror folder serves it offline', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'graft-pinned-'));
    const pinned = { ...V1, url: `${served.url}/${V1.file}` };
    const first = await pinnedFileBytes(pinned, 'test', { GRAFT_CACHE_DIR: cache });
    expect(first.origin).toBe('download');
    expect(first.bytes.length).toBe(V1.bytes);
    const again = await pinnedFileBytes({ ...pinned, url: `${UNREACHABLE}/${V1.file}` }, 'test', { GRAFT_CACHE_DIR: cache });
    expect(again.origin).toBe('cache');
    const offline = await pinnedFileBytes({ ...pinned, url: `${UNREACHABLE}/${V1.file}` }, 'test', { GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-pinned-')), GRAFT_MODEL_MIRROR: TFLITE_DIR });
    expect(offline.origin).toBe('mirror');
  });

  it('refuses a file whose sha256 is not the pinned one, and says what to do offline', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'graft-mirror-'));
    writeFileSync(join(mirror, V1.file), 'not the model');
    const failure = pinnedFileBytes({ ...V1, url: `${UNREACHABLE}/${V1.file}` }, 'backbone mobilenet_v1_imagenet', { GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-pinned-')), GRAFT_MODEL_MIRROR: mirror });
    await expect(failure).rejects.toThrow(/backbone mobilenet_v1_imagenet needs mobilenet_v1_1\.0_224_quant_embedding_extractor\.tflite \(3\.3 MB, sha256 f409ef4f73fc…\).*sha256 .* is not the pinned f409ef4f73fc….*set GRAFT_MODEL_MIRROR=<that folder>/);
  });

  it('graft extract with an ImageNet backbone and neither network nor mirror: one line that says what to download and where to put it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-offline-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    const result = await graft(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v1_imagenet', '--quiet'], { env: { GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-cache-')), GRAFT_MODEL_MIRROR: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/needs mobilenet_v1_1\.0_224_quant_embedding_extractor\.tflite .*download https:\/\/raw\.githubusercontent\.com\/google-coral\/test_data\/.* and set GRAFT_MODEL_MIRROR/);
  });

  it('graft run with mobilenet_v2_imagenet through a mirror URL: 1280-d features, an ONNX export, and predict agrees with evaluate', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-imagenet-'));
    const env = { GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-cache-')), GRAFT_MODEL_MIRROR: served.url };
    const run = await graft(['run', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2_imagenet', '--quiet', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(served.requests).toContain(`/${BACKBONES.mobilenet_v2_imagenet.file}`);
    const [dims] = await duckdb(`select min(len(feature))::INTEGER as lo, max(len(feature))::INTEGER as hi, count(*)::INTEGER as n from '${join(out, 'extract', 'bottlenecks.parquet')}'`);
    expect(dims).toEqual({ lo: 1280, hi: 1280, n: 274 });
    const provenance = JSON.parse(readFileSync(join(out, 'extract', 'provenance.json'), 'utf8'));
    expect(provenance.backbone).toMatchObject({ id: 'mobilenet_v2_imagenet', layer: 'MobilenetV2/Logits/AvgPool', weightsSha256: BACKBONES.mobilenet_v2_imagenet.sha256 });
    expect(provenance.engines).toEqual({ onnxruntime: 274 });
    expect(existsSync(join(out, 'export', 'model', 'model.onnx'))).toBe(true);
    expect(existsSync(join(out, 'export', 'model', 'model.json'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'export', 'model', 'metadata.json'), 'utf8')).format).toBe('onnx');
    // The exported ONNX classifier reproduces evaluate's predictions on the test images.
    const rows = await duckdb(`select path, predicted_name from '${join(out, 'evaluate', 'predictions.parquet')}' where split = 'test' order by path limit 12`);
    const inputs = mkdtempSync(join(tmpdir(), 'graft-predict-'));
    for (const row of rows) copyFileSync(join(DEMO, String(row.path)), join(inputs, String(row.path).replace('/', '__')));
    const predicted = await graft(['predict', inputs, '--out', out, '--json', '--quiet'], { env });
    expect(predicted.code, predicted.stderr).toBe(0);
    const results = JSON.parse(predicted.stdout) as { engine: string; results: { path: string; predictions: { label: string }[] }[] };
    expect(results.engine).toBe('onnxruntime');
    for (const row of rows) {
      const result = results.results.find((r) => r.path.endsWith(String(row.path).replace('/', '__')))!;
      expect(result.predictions[0]!.label, String(row.path)).toBe(row.predicted_name);
    }
    // Rerun: every feature comes from the cache, without the mirror.
    const again = await graft(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2_imagenet', '--force', '--json', '--quiet'], { env: { ...env, GRAFT_MODEL_MIRROR: '' } });
    expect(JSON.parse(again.stdout)).toMatchObject({ computed: 0, cached: 274 });
  });

  it('graft extract --model takes a .tflite file and a tensor name; a float model without a declared pixel range asks for --input-range', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-tflite-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    const model = join(TFLITE_DIR, 'mobilenet_v1_0.25_224_float.tflite');
    const layer = 'MobilenetV1/Logits/AvgPool_1a/AvgPool';
    const missing = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--layer', layer, '--quiet']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/mobilenet_v1_0\.25_224_float\.tflite: its float input does not say which pixel range it expects: pass --input-range/);
    const noLayer = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--quiet']);
    expect(noLayer.stderr).toMatch(/needs --layer <feature tensor> \(pooled tensors in this model: .*MobilenetV1\/Logits\/AvgPool_1a\/AvgPool/);
    const tfjsEngine = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--layer', layer, '--input-range=-1,1', '--engine', 'tfjs-wasm', '--quiet']);
    expect(tfjsEngine.stderr).toMatch(/runs on onnxruntime only/);
    const result = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--layer', layer, '--input-range=-1,1', '--json', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ featureDim: 256, engine: 'onnxruntime', computed: 274 });
    const provenance = JSON.parse(readFileSync(join(out, 'extract', 'provenance.json'), 'utf8'));
    expect(provenance.preprocessing).toMatchObject({ size: 224, scale: 2 / 255, offset: -1 });
  });

  it('graft extract --model takes an ONNX file (NCHW input) and any value in it as the feature, equal to the same network from TFLite', async () => {
    // An NCHW ONNX classifier made from the shared float MobileNetV1: Graft's own import, behind a transpose.
    const tflite = join(TFLITE_DIR, 'mobilenet_v1_0.25_224_float.tflite');
    const converted = tfliteToOnnx(readTflite(new Uint8Array(readFileSync(tflite)), 'mobilenet'), 'MobilenetV1/Predictions/Reshape_1', 'mobilenet');
    const { builder, input } = OnnxGraphBuilder.extend(converted.onnx);
    builder.reserveName('images');
    builder.addNodeWithOutput('Transpose', ['images'], input.name!, { perm: [0, 2, 3, 1] });
    const folder = mkdtempSync(join(tmpdir(), 'graft-onnx-'));
    const model = join(folder, 'mobilenet_nchw.onnx');
    writeFileSync(model, builder.encode({ graphName: 'nchw', input: { name: 'images', dims: ['batch', 3, 224, 224] }, output: { name: 'features', dims: ['batch', 1001] } }));
    const layer = 'MobilenetV1/Logits/AvgPool_1a/AvgPool';
    const features = async (from: string) => {
      const out = mkdtempSync(join(tmpdir(), 'graft-onnx-out-'));
      expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
      const result = await graft(['extract', '--data', DEMO, '--out', out, '--model', from, '--layer', layer, '--input-range=-1,1', '--json', '--quiet']);
      expect(result.code, result.stderr).toBe(0);
      return duckdb(`select path, feature from '${join(out, 'extract', 'bottlenecks.parquet')}' order by path limit 8`);
    };
    const [fromOnnx, fromTflite] = [await features(model), await features(tflite)];
    expect(fromOnnx.map((r) => r.path)).toEqual(fromTflite.map((r) => r.path));
    fromOnnx.forEach((row, i) => {
      const [a, b] = [row.feature as number[], fromTflite[i]!.feature as number[]];
      expect(a).toHaveLength(256);
      a.forEach((value, k) => expect(Math.abs(value - b[k]!)).toBeLessThan(1e-4));
    });
    const out = mkdtempSync(join(tmpdir(), 'graft-onnx-bad-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    const wrong = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--layer', 'MobilenetV1/Logits/AvgPool', '--quiet']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/mobilenet_nchw\.onnx has no value named 'MobilenetV1\/Logits\/AvgPool' — did you mean 'MobilenetV1\/Logits\/AvgPool_1a\/AvgPool'\?/);
    const normalization = await graft(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2', '--input-normalization', 'imagenet', '--quiet']);
    expect(normalization.stderr).toMatch(/--input-normalization imagenet applies to an ONNX --model only/);
  });
});
