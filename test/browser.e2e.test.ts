import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { duckdb } from './helpers/duckdb.js';
import { DEMO, runDemoPipeline } from './helpers/demo-pipeline.js';
// Plain JS modules of the example itself (not compiled): the test drives what a user runs.
import { startServer } from '../examples/browser/serve.mjs';
import { CHROMIUM, isLocalRequest, measureAgreement, openClassifierPage } from '../examples/browser/headless.mjs';

type Opened = Awaited<ReturnType<typeof openClassifierPage>>;
const haveChromium = existsSync(CHROMIUM);

/** Test images the pipeline classifies correctly, most confident first (one per class). */
async function confidentImages(out: string): Promise<{ path: string; class_name: string; confidence: number }[]> {
  return (await duckdb(`
    select path, class_name, confidence from '${join(out, 'evaluate', 'predictions.parquet')}'
    where split = 'test' and correct qualify row_number() over (partition by class_name order by confidence desc, path) = 1
    order by confidence desc, path`)) as never;
}

describe('the browser example in headless Chromium', () => {
  let out: string;
  let server: { url: string; close: () => Promise<void> };
  let opened: Opened;
  let images: Awaited<ReturnType<typeof confidentImages>>;

  beforeAll(async () => {
    // Never skipped: `npm test` installs Chromium when it is missing (scripts/test-tools.sh).
    if (!haveChromium) throw new Error(`headless Chromium not found at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (npm test does when it can), or set GRAFT_CHROMIUM`);
    ({ out } = await runDemoPipeline());
    images = await confidentImages(out);
    server = await startServer({ modelDir: join(out, 'export', 'model'), port: 0 });
    opened = await openClassifierPage(server.url);
  });
  afterAll(async () => {
    await opened?.close();
    await server?.close();
  });

  const topResult = async () => {
    await opened.page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state!));
    return opened.page.evaluate(() => {
      const first = document.querySelector<HTMLLIElement>('#results li');
      return { state: document.body.dataset.state, label: first?.dataset.label, probability: Number(first?.dataset.probability), status: document.getElementById('status')!.textContent };
    });
  };

  it('classifies a chosen demo image as its class', async () => {
    const image = images[0]!;
    expect(image.confidence).toBeGreaterThan(0.8);
    await opened.page.setInputFiles('#file', join(DEMO, image.path));
    const result = await topResult();
    expect(result.state, result.status ?? '').toBe('done');
    expect(result.label).toBe(image.class_name);
    expect(result.probability).toBeGreaterThan(0.5);
  });

  it('classifies a dropped image as its class', async () => {
    const image = images.find((i) => i.class_name !== images[0]!.class_name)!;
    const bytes = readFileSync(join(DEMO, image.path)).toString('base64');
    await opened.page.evaluate(({ bytes, name }) => {
      document.body.dataset.state = 'ready';
      const transfer = new DataTransfer();
      transfer.items.add(new File([Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0))], name, { type: 'image/jpeg' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, { bytes, name: image.path.split('/').pop()! });
    const result = await topResult();
    expect(result.label).toBe(image.class_name);
    expect(result.status).toContain(image.path.split('/').pop()!);
  });

  it('agrees with the pipeline on most test images (canvas resize vs libvips lanczos3)', async () => {
    const agreement = await measureAgreement(opened.page, { out, data: DEMO });
    console.log(`browser vs pipeline, demo test split (mobilenet_v2, quick head): top-1 agreement ${agreement.agree}/${agreement.images}, max |Δp| ${agreement.maxAbsDiff.toFixed(3)}`);
    expect(agreement.images).toBe(33);
    expect(agreement.agreement).toBeGreaterThanOrEqual(0.75);
  });

  it('loads nothing from the network: tfjs, its wasm binary and the model all come from the local server', () => {
    expect(opened.errors).toEqual([]);
    expect(opened.requests.filter((url) => !isLocalRequest(url))).toEqual([]);
    const paths = opened.requests.map((url) => new URL(url).pathname);
    expect(paths).toEqual(expect.arrayContaining(['/', '/vendor/tf.min.js', '/vendor/tf-backend-wasm.min.js', '/classify.js', '/model/metadata.json', '/model/model.json', '/model/weights.bin']));
    expect(paths.some((path) => /^\/vendor\/tfjs-backend-wasm.*\.wasm$/.test(path))).toBe(true);
    expect(opened.backend).toBe('wasm');
  });
});
