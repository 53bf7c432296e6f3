import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { copyProject } from '../project-copy.js';
import { measureCommand } from './measure-command.js';

export interface TurboTimes {
  readonly images: number;
  readonly coldSeconds: number;
  readonly warmSeconds: number;
  readonly addedImages: number;
  readonly incrementalSeconds: number;
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
  const turbo = () => measureCommand('npx', ['turbo', 'run', 'evaluate', '--output-logs=errors-only'], { cwd: root, env: { TURBO_TELEMETRY_DISABLED: '1' } }).seconds;
  const coldSeconds = turbo();
  const warmSeconds = turbo();
  let added = 0;
  for (const className of readdirSync(additions).filter((name) => !name.startsWith('.'))) {
    for (const file of readdirSync(join(additions, className))) {
      cpSync(join(additions, className, file), join(root, 'data', 'bench', className, `added_${file}`));
      added++;
    }
  }
  const incrementalSeconds = turbo();
  const images = readdirSync(dataset).filter((n) => !n.startsWith('.')).reduce((sum, className) => sum + readdirSync(join(dataset, className)).length, 0);
  return { images, coldSeconds, warmSeconds, addedImages: added, incrementalSeconds };
}
