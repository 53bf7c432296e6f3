import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBottlenecks, readBundledModel } from '@graft/extract';
import { saveLayersModel, tf, useTfjsBackend } from '@graft/tf';
import { graft } from './helpers/graft-cli.js';
import { serveFolder as serve } from './helpers/serve-folder.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const DEMO = join(REPO_ROOT, 'data', 'emoji-demo5', 'noto');

describe('a backbone given by URL', () => {
  let modelFolder: string;
  let cacheDir: string;
  let reference: Float32Array;
  let served: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    // The bundled MobileNetV2 saved as a plain tfjs layers model folder stands in for any model on the web.
    await useTfjsBackend();
    const artifacts = readBundledModel('mobilenet_v2');
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }));
    modelFolder = mkdtempSync(join(tmpdir(), 'graft-model-'));
    await saveLayersModel(model, modelFolder);
    cacheDir = mkdtempSync(join(tmpdir(), 'graft-model-cache-'));
    served = await serve(modelFolder);
    const out = mkdtempSync(join(tmpdir(), 'graft-url-ref-'));
    expect((await graft(['run', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2', '--steps', '10', '--quiet'])).code).toBe(0);
    reference = (await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'))).features;
  });
  afterAll(() => served?.server.close());

  it('is downloaded once into the model cache, gives the same features, and is recorded in provenance', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-url-'));
    const url = `${served.url}/model.json`;
    const result = await graft(['run', '--data', DEMO, '--out', out, '--model', url, '--layer', 'flatten_1', '--steps', '10', '--json', '--quiet'], { env: { GRAFT_CACHE_DIR: cacheDir } });
    expect(result.code, result.stderr).toBe(0);
    expect(served.requests.sort()).toEqual(['/model.json', '/weights.bin']);
    const bottlenecks = await readBottlenecks(join(out, 'extract', 'bottlenecks.parquet'));
    expect(bottlenecks.features).toEqual(reference);
    expect(bottlenecks.provenance.backbone.id).toBe(url);
    expect(bottlenecks.provenance.backbone.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    const [entry] = readdirSync(join(cacheDir, 'models'));
    expect(JSON.parse(readFileSync(join(cacheDir, 'models', entry!, 'download.json'), 'utf8'))).toMatchObject({ url, files: { 'model.json': expect.any(String), 'weights.bin': expect.any(String) } });
  });

  it('works offline from the cache, and downloads again when the cached copy is damaged', async () => {
    const url = `${served.url}/model.json`;
    const before = served.requests.length;
    const offline = await graft(['extract', '--data', DEMO, '--out', mkdtempSync(join(tmpdir(), 'graft-url-')), '--model', url, '--layer', 'flatten_1', '--quiet'], { env: { GRAFT_CACHE_DIR: cacheDir } });
    // (needs split first)
    expect(offline.code).toBe(2);
    expect(offline.stderr).toMatch(/run `graft split` first/);
    const out = mkdtempSync(join(tmpdir(), 'graft-url-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    expect((await graft(['extract', '--data', DEMO, '--out', out, '--model', url, '--layer', 'flatten_1', '--quiet'], { env: { GRAFT_CACHE_DIR: cacheDir } })).code).toBe(0);
    expect(served.requests.length).toBe(before); // served from the cache
    const [entry] = readdirSync(join(cacheDir, 'models'));
    writeFileSync(join(cacheDir, 'models', entry!, 'weights.bin'), 'damaged');
    const again = await graft(['extract', '--data', DEMO, '--out', out, '--model', url, '--layer', 'flatten_1', '--force', '--quiet'], { env: { GRAFT_CACHE_DIR: cacheDir } });
    expect(again.code, again.stderr).toBe(0);
    expect(served.requests.slice(before).sort()).toEqual(['/model.json', '/weights.bin']);
  });

  it('an unreachable URL is a one-line error that says what to do', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-url-'));
    expect((await graft(['split', '--data', DEMO, '--out', out, '--quiet'])).code).toBe(0);
    const result = await graft(['extract', '--data', DEMO, '--out', out, '--model', 'http://127.0.0.1:9/nothing/model.json', '--layer', 'x', '--quiet'], { env: { GRAFT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'graft-empty-cache-')) } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot download http:\/\/127.0.0.1:9\/nothing\/model.json: .*pass --model <path>/);
  });
});
