import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Measured {
  readonly seconds: number;
  /** Peak resident set size of the command, in MB (from GNU time), or NaN when unavailable. */
  readonly peakRssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command, timing it and (through /usr/bin/time) reading its peak RSS; throws on failure. */
export function measureCommand(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Measured {
  const time = existsSync('/usr/bin/time');
  const started = performance.now();
  const result = spawnSync(time ? '/usr/bin/time' : command, time ? ['-f', 'GRAFT_PEAK_RSS_KB=%M', command, ...args] : [...args], {
    cwd: options.cwd, env: { ...process.env, ...options.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
  const rss = /GRAFT_PEAK_RSS_KB=(\d+)/.exec(result.stderr);
  return { seconds, peakRssMb: rss ? Number(rss[1]) / 1024 : NaN, stdout: result.stdout, stderr: result.stderr };
}
