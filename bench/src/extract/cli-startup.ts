import { spawnSync } from 'node:child_process';

/** Wall time of one command over several spawned runs, in milliseconds. */
export interface CommandTime {
  readonly best_ms: number;
  readonly median_ms: number;
}

export interface CliStartup {
  readonly runs: number;
  /** `graft --help`. */
  readonly help: CommandTime;
  /** `graft status --data <data> --out <out>` on a project with split's artifacts (up to date, so the data folder is hashed). */
  readonly status: CommandTime;
  /** `graft inspect manifest --out <out>` (reads a Parquet file). */
  readonly inspect: CommandTime;
}

/**
 * How long users wait for the commands they expect to answer at once: `graft --help`, `graft status`
 * and `graft inspect`, each spawned `runs` times after one unmeasured warm-up (best and median).
 * `graft split` runs first into `out` (skipped when up to date) so status and inspect see artifacts.
 */
export function cliStartupTimes(graftCli: string, options: { data: string; out: string; runs?: number }): CliStartup {
  const runs = options.runs ?? 7;
  const graft = (args: readonly string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [graftCli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`graft ${args.join(' ')} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
    return performance.now() - started;
  };
  const time = (args: readonly string[]): CommandTime => {
    graft(args);
    const times = Array.from({ length: runs }, () => graft(args)).sort((a, b) => a - b);
    return { best_ms: Math.round(times[0]!), median_ms: Math.round(times[Math.floor((runs - 1) / 2)]!) };
  };
  graft(['split', '--data', options.data, '--out', options.out, '--quiet']);
  return {
    runs,
    help: time(['--help']),
    status: time(['status', '--data', options.data, '--out', options.out]),
    inspect: time(['inspect', 'manifest', '--out', options.out]),
  };
}

/** One line: best / median of each command. */
export function formatCliStartup(startup: CliStartup): string {
  const each = (name: string, t: CommandTime) => `${name} ${t.best_ms} / ${t.median_ms} ms`;
  return `CLI start-up (best / median of ${startup.runs}): ${each('graft --help', startup.help)}, ${each('graft status', startup.status)}, ${each('graft inspect manifest', startup.inspect)}`;
}
