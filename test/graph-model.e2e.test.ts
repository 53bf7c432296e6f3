import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBundledModel } from '@graft/extract';
import { writeModelArtifacts } from '@graft/tf';
import { graft } from './helpers/graft-cli.js';
import { duckdb } from './helpers/duckdb.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');
/** The TF-Hub MobileNetV2 1.4 feature vector inside nsfwjs's graph model. */
const NODE = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';

describe('a tfjs graph model (TF-Hub style) as the backbone', () => {
  it('extracts the named node on the tfjs engines, exports backbone + head, and predict agrees with evaluate', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'graft-graph-model-'));
    await writeModelArtifacts(readBundledModel('mobilenet_v2_mid'), folder);
    const model = join(folder, 'model.json');
    const out = mkdtempSync(join(tmpdir(), 'graft-graph-out-'));
    const noLayer = await graft(['run', '--data', DEMO, '--out', out, '--model', model, '--quiet']);
    expect(noLayer.code).toBe(2);
    expect(noLayer.stderr).toMatch(/needs --layer <node name> \(candidates: .*feature_vector\/SpatialSqueeze/);
    const onnxEngine = await graft(['extract', '--data', DEMO, '--out', out, '--model', model, '--layer', NODE, '--engine', 'onnxruntime', '--quiet']);
    expect(onnxEngine.stderr).toMatch(/is a tfjs graph model and runs on the tfjs engines/);
    const run = await graft(['run', '--data', DEMO, '--out', out, '--model', model, '--layer', NODE, '--quiet', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const [dims] = await duckdb(`select min(len(feature))::INTEGER as d, count(*)::INTEGER as n from '${join(out, 'extract', 'bottlenecks.parquet')}'`);
    expect(dims).toEqual({ d: 1792, n: 274 });
    expect(JSON.parse(readFileSync(join(out, 'extract', 'provenance.json'), 'utf8')).engines).toEqual({ 'tfjs-wasm': 274 });
    for (const file of ['backbone/model.json', 'backbone/weights.bin', 'head/model.json', 'metadata.json']) expect(existsSync(join(out, 'export', 'model', file)), file).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'export', 'model', 'metadata.json'), 'utf8'))).toMatchObject({ format: 'tfjs-graph', layers: { features: NODE } });
    const rows = await duckdb(`select path, predicted_name from '${join(out, 'evaluate', 'predictions.parquet')}' where split = 'test' order by path limit 8`);
    const inputs = mkdtempSync(join(tmpdir(), 'graft-graph-predict-'));
    for (const row of rows) copyFileSync(join(DEMO, String(row.path)), join(inputs, String(row.path).replace('/', '__')));
    const predicted = await graft(['predict', inputs, '--out', out, '--json', '--quiet']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const results = JSON.parse(predicted.stdout) as { results: { path: string; predictions: { label: string }[] }[] };
    for (const row of rows) expect(results.results.find((r) => r.path.endsWith(String(row.path).replace('/', '__')))!.predictions[0]!.label, String(row.path)).toBe(row.predicted_name);
  });
});
