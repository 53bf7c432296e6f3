import { BackboneError, nearestChoice } from '@graft/core';
import { tf, useTfjsBackend, type ModelArtifacts } from '@graft/tf';
import type { TfjsFeatures } from '../engines/tfjs-engine.js';

/** Node names of a loaded graph model (tfjs keeps them on its executor). */
function nodeNames(model: tf.GraphModel): string[] {
  const graph = (model as unknown as { executor?: { graph?: { nodes?: Record<string, unknown> } } }).executor?.graph?.nodes;
  return graph ? Object.keys(graph) : [];
}

/**
 * A tfjs graph model (TF-Hub style, `format: graph-model`) cut at node `node`: images [n, S, S, 3]
 * → that node's value, globally average-pooled when 4-D (NHWC). Runs on the tfjs engines.
 */
export async function graphModelFeatures(artifacts: ModelArtifacts, node: string, file: string): Promise<{ features: TfjsFeatures; inputSize: number; featureDim: number }> {
  await useTfjsBackend();
  const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const shape = model.inputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || shape.length !== 4 || shape[3] !== 3 || shape[1] !== shape[2] || !((shape[1] ?? 0) > 0)) {
    throw new BackboneError(`${file}: a graph model with one square RGB input [n, size, size, 3] is needed, found ${JSON.stringify(model.inputs.map((input) => input.shape))}`);
  }
  const names = nodeNames(model);
  if (!node) {
    const candidates = names.filter((name) => /feature|pool|squeeze/i.test(name));
    throw new BackboneError(`extract --model ${file} needs --layer <node name>${candidates.length ? ` (candidates: ${candidates.slice(-3).join(', ')})` : ''}`);
  }
  if (names.length > 0 && !names.includes(node)) {
    const near = nearestChoice(node, names) ?? names.find((name) => name.endsWith(node));
    throw new BackboneError(`${file} has no node named '${node}'${near ? ` — did you mean '${near}'?` : ''}`);
  }
  const features: TfjsFeatures = {
    predict: (images) =>
      tf.tidy(() => {
        const value = model.execute(images, node) as tf.Tensor;
        if (value.rank === 4) return tf.mean(value, [1, 2]);
        return value.rank === 2 ? value : tf.reshape(value, [value.shape[0]!, -1]);
      }),
  };
  const size = shape[1]!;
  const probe = features.predict(tf.zeros([1, size, size, 3])) as tf.Tensor;
  const featureDim = probe.shape[1]!;
  probe.dispose();
  return { features, inputSize: size, featureDim };
}
