import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArtifactNotFoundError, PROVENANCE_FILE, nearestChoice, type StageDefinition, type StageSpec } from '@graft/core';

/** Every name `graft inspect` understands for the artifacts of a pipeline, mapped to `<stage>/<file>`. */
export function artifactNames(pipeline: readonly StageDefinition<StageSpec>[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { spec } of pipeline) {
    names.set(spec.name, spec.name);
    names.set(`${spec.name}/${PROVENANCE_FILE}`, `${spec.name}/${PROVENANCE_FILE}`);
    for (const [name, output] of Object.entries(spec.outputs)) {
      const relative = `${spec.name}/${output.file}`;
      names.set(relative, relative);
      if (!names.has(name)) names.set(name, relative); // output names are unique: `graft inspect bottlenecks`
      const fileName = output.file.split('/').pop()!;
      if (!names.has(fileName)) names.set(fileName, relative); // `graft inspect predictions.parquet`
    }
  }
  return names;
}

/**
 * Find the artifact `graft inspect` is asked about: a path as given, a path inside the artifacts
 * folder (`train/metrics.parquet`), a stage name (its folder) or an output name (`bottlenecks`).
 */
export function resolveArtifact(argument: string, out: string, pipeline: readonly StageDefinition<StageSpec>[]): string {
  if (existsSync(argument)) return resolve(argument);
  if (existsSync(join(out, argument))) return join(out, argument);
  const names = artifactNames(pipeline);
  const known = names.get(argument.replace(/\\/g, '/').replace(/\/$/, ''));
  if (known && existsSync(join(out, known))) return join(out, known);
  const near = nearestChoice(argument, [...names.keys()]);
  const hint = known ? `: run \`graft ${known.split('/')[0]}\` first (or \`graft run\`)` : near ? ` — did you mean '${near}'?` : ` — try a stage (${[...new Set([...names.values()].map((n) => n.split('/')[0]))].join(', ')}) or a file such as train/metrics.parquet`;
  throw new ArtifactNotFoundError(`no artifact '${argument}' (looked in ${out} and the current folder)${hint}`);
}
