import type { StageSpec } from './spec.js';
import { upstreamStages } from './spec.js';

/** The artifacts and params folders as turbo sees them (relative to the repository root). */
export interface TurboLayout {
  readonly artifacts: string;
  readonly params: string;
  readonly data: string;
  /** Target-domain folder (domain adaptation), when the project names one. */
  readonly target?: string | undefined;
}

/**
 * turbo.json derived from the stage declarations. Each stage is a task of its own package:
 * - it depends on its package's `build` (so code changes, also in shared packages via `^build`,
 *   change its hash) and on the tasks of the stages it reads from (never on their files: turbo
 *   hashes inputs before upstream tasks run);
 * - its inputs are its package sources, its own params file and, for split, the data folder (and
 *   the target-domain folder, when the project names one);
 * - its outputs are its own artifacts folder (disjoint from every other stage's).
 * Stages that need a target domain are left out unless the project names one (`target`).
 */
export function turboConfig(allSpecs: readonly StageSpec[], layout: TurboLayout): Record<string, unknown> {
  // Domain-adaptation stages are tasks only when the project names a target folder.
  const specs = allSpecs.filter((spec) => !spec.needsTarget || layout.target);
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const tasks: Record<string, unknown> = {
    build: { dependsOn: ['^build'], inputs: ['$TURBO_DEFAULT$', '!dist/**'], outputs: ['dist/**', '*.tsbuildinfo'] },
  };
  for (const spec of specs) {
    const inputs = ['$TURBO_DEFAULT$', '!dist/**', `$TURBO_ROOT$/${layout.params}/${spec.name}.json`, '$TURBO_ROOT$/graft.config.json'];
    if (Object.keys(spec.inputs).length === 0 && spec.readsDataset) {
      inputs.push(`$TURBO_ROOT$/${layout.data}/**`);
      if (layout.target) inputs.push(`$TURBO_ROOT$/${layout.target}/**`);
    }
    tasks[`${spec.package}#${spec.name}`] = {
      dependsOn: ['build', ...upstreamStages(spec).filter((name) => byName.has(name)).map((name) => `${byName.get(name)!.package}#${name}`)],
      inputs,
      outputs: [`$TURBO_ROOT$/${layout.artifacts}/${spec.name}/**`],
    };
  }
  return { $schema: 'https://turborepo.com/schema.json', tasks };
}
