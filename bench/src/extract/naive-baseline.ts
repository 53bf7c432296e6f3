import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeInto, type FeatureEngine, type Preprocessing } from '@graft/extract';

/**
 * What the seed program did: for each file, decode it, run the network on that one image, and
 * write its features as one text file. Returns images per second.
 */
export async function naiveRate(engine: FeatureEngine, dataDir: string, preprocessing: Preprocessing, outDir: string, limit: number): Promise<{ rate: number; images: number }> {
  const files = readdirSync(dataDir).filter((name) => !name.startsWith('.')).sort().flatMap((className) => readdirSync(join(dataDir, className)).filter((f) => !f.startsWith('.')).sort().map((f) => join(className, f))).slice(0, limit);
  mkdirSync(outDir, { recursive: true });
  const input = new Float32Array(preprocessing.size ** 2 * 3);
  const started = performance.now();
  for (const file of files) {
    await decodeInto(readFileSync(join(dataDir, file)), preprocessing, { maxPixels: 1e9 }, input, 0);
    const features = await engine.infer(input, 1);
    writeFileSync(join(outDir, `${file.replace(/[/\\]/g, '_')}.txt`), Array.from(features, (v) => v.toString()).join(','));
  }
  return { rate: files.length / ((performance.now() - started) / 1000), images: files.length };
}
