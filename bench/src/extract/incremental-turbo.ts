import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { copyProject } from '../project-copy.js';
import { measureCommand } from './measure-command.js';

/** One task of a turbo run, from its run summary (`--summarize`). */
export interface TurboTaskTime {
  readonly task: string;
  readonly seconds: number;
  /** HIT (restored from turbo's cache) or MISS (ran). */
  readonly cache: string;
}

export interface TurboTimes {
  readonly images: number;
  readonly coldSeconds: number;
  readonly warmSeconds: number;
  readonly addedImages: number;
  readonly incrementalSeconds: number;
  /** Per task of each run: where the time goes (build tasks are cache hits in all three). */
  readonly stages: { readonly cold: TurboTaskTime[]; readonly warm: TurboTaskTime[]; readonly incremental: TurboTaskTime[] };
}

/** The tasks of the run summary turbo just wrote, stage tasks first, in start order. */
function taskTimes(root: string): TurboTaskTime[] {
  const folder = join(root, '.turbo', 'runs');
  const [file] = readdirSync(folder);
  const summary = JSON.parse(readFileSync(join(folder, file!), 'utf8')) as { tasks: { taskId: string; task: string; cache: { status: string }; execution?: { startTime: number; endTime: number } }[] };
  rmSync(folder, { recursive: true, force: true });
  return summary.tasks
    .filter((t) => t.execution)
    .sort((a, b) => Number(a.task === 'build') - Number(b.task === 'build') || a.execution!.startTime - b.execution!.startTime)
    .map((t) => ({ task: t.task === 'build' ? t.taskId : t.task, seconds: Math.round((t.execution!.endTime - t.execution!.startTime) / 10) / 100, cache: t.cache.status }));
}

/**
 * `turbo run evaluate` in a throwaway copy of the project whose dataset is `dataset`: cold, then
 * warm (nothing changed: a full cache hit that restores the artifacts), then after adding the
 * images of `additions` (about 1 %).
 */
export function incrementalTurbo(dataset: string, additions: string, extractParams: Record<string, unknown>): TurboTimes {
  const root = copyProject();
  cpSync(dataset, join(root, 'data', 'bench'), { recursive: true });
  writeFileSync(join(root, 'graft.config.json'), JSON.stringify({ data: 'data/bench', out: 'artifacts', params: 'params' }, null, 2));
  writeFileSync(join(root, 'params', 'extract.json'), JSON.stringify(extractParams, null, 2));
  // Build outside the timings: the code is compiled once whatever the data.
  measureCommand('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: root });
  execFileSync(process.execPath, [join(root, 'packages', 'cli', 'dist', 'main.js'), 'turbo-config', '--write'], { cwd: root });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=bench@graft', '-c', 'user.name=bench', ...args], { cwd: root, stdio: 'ignore' });
  git('add', '-A');
  git('commit', '-qm', 'bench dataset');
  const turbo = () => {
    rmSync(join(root, '.turbo', 'runs'), { recursive: true, force: true });
    const { seconds } = measureCommand('npx', ['turbo', 'run', 'evaluate', '--summarize', '--output-logs=errors-only'], { cwd: root, env: { TURBO_TELEMETRY_DISABLED: '1' } });
    return { seconds, tasks: taskTimes(root) };
  };
  const cold = turbo();
  const warm = turbo();
  let added = 0;
  for (const className of readdirSync(additions).filter((name) => !name.startsWith('.'))) {
    for (const file of readdirSync(join(additions, className))) {
      cpSync(join(additions, className, file), join(root, 'data', 'bench', className, `added_${file}`));
      added++;
    }
  }
  const incremental = turbo();
  const images = readdirSync(dataset).filter((n) => !n.startsWith('.')).reduce((sum, className) => sum + readdirSync(join(dataset, className)).length, 0);
  return {
    images, coldSeconds: cold.seconds, warmSeconds: warm.seconds, addedImages: added, incrementalSeconds: incremental.seconds,
    stages: { cold: cold.tasks, warm: warm.tasks, incremental: incremental.tasks },
  };
}

/** "split 3.1 / 0.4 s, extract 90.2 / 2.1 s, …": each stage task's seconds in the cold and the incremental run. */
export function stageBreakdown(times: TurboTimes): string {
  const incremental = new Map(times.stages.incremental.map((t) => [t.task, t]));
  return times.stages.cold
    .filter((t) => !t.task.includes('#build'))
    .map((t) => `${t.task} ${t.seconds.toFixed(1)} / ${incremental.get(t.task)?.seconds.toFixed(1) ?? '–'} s`)
    .join(', ');
}
