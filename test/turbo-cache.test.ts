import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject } from './helpers/project-copy.js';

/** Cache status of every task of one `turbo run evaluate`, read from turbo's run summary. */
function turboRun(root: string): Record<string, 'HIT' | 'MISS'> {
  const runs = join(root, '.turbo', 'runs');
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  execFileSync('npx', ['turbo', 'run', 'evaluate', '--summarize', '--output-logs=errors-only'], { cwd: root, stdio: 'pipe', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } });
  const summaryFile = readdirSync(runs).find((file) => !before.has(file))!;
  const summary = JSON.parse(readFileSync(join(runs, summaryFile), 'utf8')) as { tasks: { taskId: string; cache: { status: 'HIT' | 'MISS' } }[] };
  return Object.fromEntries(summary.tasks.filter((t) => !t.taskId.endsWith('#build')).map((t) => [t.taskId.split('#')[1]!, t.cache.status]));
}

const provenance = (root: string, stage: string) => JSON.parse(readFileSync(join(root, 'artifacts', stage, 'provenance.json'), 'utf8'));

describe('turbo run evaluate', () => {
  let root: string;
  beforeAll(() => {
    root = copyProject();
    // A fast backbone and a short training keep this test quick; the caching logic is the same.
    writeFileSync(join(root, 'params', 'extract.json'), JSON.stringify({ backbone: 'mobilenet_v2' }));
    writeFileSync(join(root, 'params', 'train.json'), JSON.stringify({ steps: 300 }));
  });

  it('runs split → extract → train → doctor → evaluate cold, then is a full cache hit that restores artifacts', () => {
    expect(turboRun(root)).toEqual({ split: 'MISS', extract: 'MISS', train: 'MISS', doctor: 'MISS', evaluate: 'MISS' });
    const report = readFileSync(join(root, 'artifacts', 'evaluate', 'report.json'), 'utf8');
    rmSync(join(root, 'artifacts', 'evaluate'), { recursive: true });
    rmSync(join(root, 'artifacts', 'train'), { recursive: true });
    expect(turboRun(root)).toEqual({ split: 'HIT', extract: 'HIT', train: 'HIT', doctor: 'HIT', evaluate: 'HIT' });
    expect(readFileSync(join(root, 'artifacts', 'evaluate', 'report.json'), 'utf8')).toBe(report);
  });

  it('reruns only train, doctor and evaluate when a train param changes', () => {
    writeFileSync(join(root, 'params', 'train.json'), JSON.stringify({ steps: 200 }));
    expect(turboRun(root)).toEqual({ split: 'HIT', extract: 'HIT', train: 'MISS', doctor: 'MISS', evaluate: 'MISS' });
    expect(provenance(root, 'train').params.steps).toBe(200);
  });

  it('reruns the chain when an image is added, and extract computes only that image', () => {
    const food = join(root, 'data', 'emoji-demo5', 'noto', 'food');
    const mammal = join(root, 'data', 'emoji-demo5', 'noto', 'mammal');
    copyFileSync(join(mammal, readdirSync(mammal).sort()[0]!), join(food, 'added_image.jpg'));
    expect(turboRun(root)).toEqual({ split: 'MISS', extract: 'MISS', train: 'MISS', doctor: 'MISS', evaluate: 'MISS' });
    expect(provenance(root, 'extract').summary).toMatchObject({ computed: 0, cached: 275 });
    // A copy of an existing image has known content: nothing to compute. A new picture is computed once.
    writeFileSync(join(food, 'new_picture.jpg'), readFileSync(join(root, 'data', 'emoji-demo5', 'fluent-flat', 'food', readdirSync(join(root, 'data', 'emoji-demo5', 'fluent-flat', 'food')).sort()[0]!)));
    expect(turboRun(root)).toEqual({ split: 'MISS', extract: 'MISS', train: 'MISS', doctor: 'MISS', evaluate: 'MISS' });
    expect(provenance(root, 'extract').summary).toMatchObject({ computed: 1, cached: 275 });
  });
});
