import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ArtifactNotFoundError, PROVENANCE_FILE, nearestChoice, type StageDefinition, type StageSpec } from '@graft/core/base';

/**
 * Every name `graft inspect` understands for the artifacts of a pipeline, mapped to the
 * `<stage>/<file>` paths it may mean, in pipeline order: a short name can belong to several stages
 * (`predictions` is evaluate's and adapt's).
 */
export function artifactNames(pipeline: readonly StageDefinition<StageSpec>[]): Map<string, string[]> {
  const names = new Map<string, string[]>();
  const add = (name: string, relative: string) => names.set(name, [...(names.get(name) ?? []), relative]);
  for (const { spec } of pipeline) {
    add(spec.name, spec.name);
    add(`${spec.name}/${PROVENANCE_FILE}`, `${spec.name}/${PROVENANCE_FILE}`);
    for (const [name, output] of Object.entries(spec.outputs)) {
      const relative = `${spec.name}/${output.file}`;
      add(relative, relative);
      add(name, relative); // `graft inspect bottlenecks`
      const fileName = output.file.split('/').pop()!;
      if (fileName !== name) add(fileName, relative); // `graft inspect predictions.parquet`
      const stem = fileName.replace(/\.[a-z]+$/, '');
      if (stem !== name && stem !== fileName) add(stem, relative); // `graft inspect label-issues`
    }
  }
  return names;
}

/**
 * Find the artifact `graft inspect` is asked about: a path as given, a path inside the artifacts
 * folder (`train/metrics.parquet`), a stage name (its folder) or an output name (`bottlenecks`;
 * where several stages write one of that name, the first that exists).
 */
export function resolveArtifact(argument: string, out: string, pipeline: readonly StageDefinition<StageSpec>[]): string {
  if (existsSync(argument)) return resolve(argument);
  if (existsSync(join(out, argument))) return join(out, argument);
  const names = artifactNames(pipeline);
  const known = names.get(argument.replace(/\\/g, '/').replace(/\/$/, '')) ?? [];
  const found = known.find((relative) => existsSync(join(out, relative)));
  if (found) return join(out, found);
  const near = nearestChoice(argument, [...names.keys()]);
  const stages = [...new Set(known.map((relative) => relative.split('/')[0]!))];
  const hint = known.length
    ? `: run ${stages.map((stage) => `\`graft ${stage}\``).join(' or ')} first (or \`graft run\`)`
    : near ? ` — did you mean '${near}'?` : ` — try a stage (${[...new Set([...names.values()].flat().map((n) => n.split('/')[0]))].join(', ')}) or a file such as train/metrics.parquet`;
  throw new ArtifactNotFoundError(`no artifact '${argument}' (looked in ${out} and the current folder)${hint}`);
}
