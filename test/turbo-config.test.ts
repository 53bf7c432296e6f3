import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kebabCase, loadProject, readParamsFile, resolveParams, turboConfig, upstreamStages } from '@graft/core';
import { expectedTurboConfig } from '../packages/cli/src/commands/turbo-config-command.js';
import { PIPELINE } from '../packages/cli/src/stages.js';

const root = join(import.meta.dirname, '..');

describe('turbo.json and the stage declarations', () => {
  it('turbo.json is exactly what the declarations derive', () => {
    const { config } = expectedTurboConfig();
    expect(JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8'))).toEqual(config);
  });

  it('orders the stages as a DAG through dependsOn, never through upstream files as inputs', () => {
    const tasks = JSON.parse(readFileSync(join(root, 'turbo.json'), 'utf8')).tasks as Record<string, { dependsOn: string[]; inputs: string[]; outputs: string[] }>;
    const tasked = PIPELINE.filter(({ spec }) => `${spec.package}#${spec.name}` in tasks);
    // Without "target" in graft.config.json the domain-adaptation stages are no tasks; every other stage is.
    expect(PIPELINE.filter(({ spec }) => !tasked.some((d) => d.spec === spec)).map(({ spec }) => spec.needsTarget)).toEqual(PIPELINE.filter(({ spec }) => spec.needsTarget).map(() => true));
    for (const { spec } of tasked) {
      const task = tasks[`${spec.package}#${spec.name}`]!;
      for (const upstream of upstreamStages(spec)) {
        const upstreamSpec = PIPELINE.find((d) => d.spec.name === upstream)!.spec;
        if (!upstreamSpec.needsTarget) expect(task.dependsOn.some((d) => d.endsWith(`#${upstream}`))).toBe(true);
      }
      expect(task.inputs.some((input) => input.includes('/artifacts/'))).toBe(false);
      expect(task.outputs).toEqual([`$TURBO_ROOT$/artifacts/${spec.name}/**`]);
    }
  });

  it('with a target folder in the project, the domain-adaptation stages become tasks and split hashes the target folder', () => {
    const config = turboConfig(PIPELINE.map((d) => d.spec), { artifacts: 'artifacts', params: 'params', data: 'data/source', target: 'data/target' }) as { tasks: Record<string, { dependsOn: string[]; inputs: string[] }> };
    for (const { spec } of PIPELINE) {
      const task = config.tasks[`${spec.package}#${spec.name}`]!;
      expect(task, spec.name).toBeDefined();
      for (const upstream of upstreamStages(spec)) expect(task.dependsOn.some((d) => d.endsWith(`#${upstream}`)), `${spec.name} → ${upstream}`).toBe(true);
    }
    expect(config.tasks['@graft/split#split']!.inputs).toEqual(expect.arrayContaining(['$TURBO_ROOT$/data/source/**', '$TURBO_ROOT$/data/target/**']));
  });

  it('every stage package runs its stage from a script named after it', () => {
    for (const { spec } of PIPELINE) {
      const manifest = JSON.parse(readFileSync(join(root, 'packages', spec.name, 'package.json'), 'utf8'));
      expect(manifest.name).toBe(spec.package);
      expect(manifest.scripts[spec.name]).toBe('node dist/bin.js');
    }
  });

  it('param names are unique across stages, so `graft run` can take them all', () => {
    const names = PIPELINE.flatMap(({ spec }) => Object.keys(spec.params).map(kebabCase));
    expect(new Set(names).size).toBe(names.length);
  });

  it('the committed params files hold only known, valid params', () => {
    const project = loadProject(root);
    for (const { spec } of PIPELINE) {
      const fromFile = readParamsFile(project.paramsDir, spec);
      expect(() => resolveParams(spec, fromFile, {})).not.toThrow();
    }
  });
});
