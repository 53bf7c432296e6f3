import { DatasetError, stableStringify, writeFileAtomic, writeParquetFile, type StageFunction } from '@graft/core';
import { readBottlenecks, selectDomain, type Bottlenecks } from '@graft/extract/tables';
import { similarityStage } from './spec.js';
import { measureSimilarity, type ClassPair } from './measure-similarity.js';
import { sample, type Sample } from './samples.js';
import { similarityLine } from './verdict.js';
import { similarityTable } from './tables.js';

const featuresOf = (bottlenecks: Bottlenecks): Sample => sample(bottlenecks.features, bottlenecks.featureDim);

/** Per-class samples of both domains, for the classes the target has labels for. */
function classPairs(source: Bottlenecks, target: Bottlenecks): ClassPair[] {
  const labelled = [...new Set(target.rows.filter((row) => row.classIndex >= 0).map((row) => row.className))].sort();
  const ofClass = (bottlenecks: Bottlenecks, className: string) => {
    const indices = bottlenecks.rows.flatMap((row, i) => (row.className === className ? [i] : []));
    const values = new Float32Array(indices.length * bottlenecks.featureDim);
    indices.forEach((row, i) => values.set(bottlenecks.features.subarray(row * bottlenecks.featureDim, (row + 1) * bottlenecks.featureDim), i * bottlenecks.featureDim));
    return sample(values, bottlenecks.featureDim);
  };
  return labelled.map((className) => ({ className, source: ofClass(source, className), target: ofClass(target, className) }));
}

/** The similarity stage: distances between the source and target bottleneck distributions. */
export const runSimilarity: StageFunction<typeof similarityStage> = async (context) => {
  const { params } = context;
  const bottlenecks = await readBottlenecks(context.inputPath('bottlenecks'));
  const source = selectDomain(bottlenecks, 'source');
  const target = selectDomain(bottlenecks, 'target');
  if (target.rows.length < 4 || source.rows.length < 4) {
    throw new DatasetError(`similarity needs at least 4 images in each domain; the bottlenecks have ${source.rows.length} source and ${target.rows.length} target images (graft run --target <folder>)`);
  }
  const started = performance.now();
  const rows = measureSimilarity(featuresOf(source), featuresOf(target), classPairs(source, target), {
    permutations: params.similarityPermutations, maxImages: params.similarityMaxImages, seed: params.similaritySeed,
  });
  const line = similarityLine(rows);
  context.log(`similarity: ${rows.length} measures in ${((performance.now() - started) / 1000).toFixed(1)}s (${source.rows.length} source, ${target.rows.length} target images, ${bottlenecks.featureDim}-d)`);
  const whole = Object.fromEntries(rows.filter((r) => r.className === null).map((r) => [r.measure, r.value]));
  const details = { backbone: bottlenecks.provenance.backbone };
  await writeParquetFile(context.outputPath('similarity'), similarityTable(rows, context.artifactMetadata('similarity', details)));
  const summary = {
    line,
    proxyADistance: whole.proxy_a_distance!,
    mmdGaussian: whole.mmd_gaussian!,
    mmdGaussianPValue: rows.find((r) => r.measure === 'mmd_gaussian' && r.className === null)!.pValue,
    mmdLinear: whole.mmd_linear!,
    coral: whole.coral!,
    sourceImages: source.rows.length,
    targetImages: target.rows.length,
  };
  await writeFileAtomic(context.outputPath('summary'), stableStringify(summary, 2) + '\n');
  return { summary: { ...summary, headline: `Domain similarity: ${line}` }, details };
};
