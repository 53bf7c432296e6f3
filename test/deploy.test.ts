import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kebabCase } from '@graft/core';
import { extractDefinition } from '@graft/extract';
import { REPO_ROOT } from './helpers/project-copy.js';

interface Container { args: string[]; image: string; volumeMounts: { name: string; mountPath: string }[] }

const documents = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy', 'k8s', 'extract-job.yaml'), 'utf8')).map((doc) => doc.toJS());
const job = documents.find((doc) => doc.kind === 'Job');
const claim = documents.find((doc) => doc.kind === 'PersistentVolumeClaim');

describe('deploy/k8s/extract-job.yaml', () => {
  it('is an Indexed Job with one pod per shard', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    expect(job.spec.parallelism).toBe(job.spec.completions);
    expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
  });

  it('runs `graft extract --shards N` with N equal to the completions, on options extract knows', () => {
    const container: Container = job.spec.template.spec.containers[0];
    const args = container.args;
    expect(args[0]).toBe('extract');
    expect(args[args.indexOf('--shards') + 1]).toBe(String(job.spec.completions));
    const known = new Set(['data', 'out', 'quiet', 'json', 'force', 'verbose', ...Object.keys(extractDefinition.spec.params).map(kebabCase), ...Object.keys(extractDefinition.executionOptions ?? {}).map(kebabCase)]);
    for (const flag of args.filter((arg) => arg.startsWith('--'))) expect(known, flag).toContain(flag.slice(2));
  });

  it('reads data and writes artifacts on a shared ReadWriteMany volume', () => {
    const container: Container = job.spec.template.spec.containers[0];
    const [mount] = container.volumeMounts;
    const volume = job.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount!.name);
    expect(volume.persistentVolumeClaim.claimName).toBe(claim.metadata.name);
    expect(claim.spec.accessModes).toContain('ReadWriteMany');
    for (const flag of ['--data', '--out']) expect(container.args[container.args.indexOf(flag) + 1]!.startsWith(`${mount!.mountPath}/`)).toBe(true);
  });
});

describe('deploy/Dockerfile', () => {
  it('copies the manifest of every workspace package before npm ci', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'deploy', 'Dockerfile'), 'utf8');
    const packages = readdirSync(join(REPO_ROOT, 'packages'));
    expect(packages.length).toBeGreaterThan(5);
    for (const name of packages) expect(dockerfile).toContain(`COPY packages/${name}/package.json packages/${name}/`);
    expect(dockerfile.indexOf('npm ci')).toBeGreaterThan(dockerfile.indexOf('COPY packages/cli/package.json'));
  });
});
