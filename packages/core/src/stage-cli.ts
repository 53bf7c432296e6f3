import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, Options } from 'yargs';
import { GraftError, ParamError, nearestChoice } from './errors.js';
import { loadProject, PROJECT_FILE } from './project.js';
import { readParamsFile, resolveParams } from './params.js';
import { kebabCase, type ParamValues, type StageSpec } from './spec.js';
import { runStage, type StageFunction, type StageOutcome } from './stage-runner.js';

/** Options every stage command takes, besides its own params. */
export interface CommonOptions {
  readonly data?: string;
  readonly target?: string;
  readonly out?: string;
  readonly quiet?: boolean;
  readonly json?: boolean;
  readonly force?: boolean;
  readonly verbose?: boolean;
}

/** `--quiet`, `--json` and `--verbose`: every command takes them. */
export function addOutputOptions<T>(yargs: Argv<T>): Argv<T & Pick<CommonOptions, 'quiet' | 'json' | 'verbose'>> {
  return yargs
    .option('quiet', { type: 'boolean', describe: 'No progress or log lines on stderr' })
    .option('json', { type: 'boolean', describe: 'Print a machine-readable summary on stdout' })
    .option('verbose', { type: 'boolean', describe: 'Show stack traces of errors' }) as Argv<T & Pick<CommonOptions, 'quiet' | 'json' | 'verbose'>>;
}

/** `--data`, `--target` and `--out`: the dataset, target-domain and artifacts folders. */
export function addFolderOptions<T>(yargs: Argv<T>): Argv<T & Pick<CommonOptions, 'data' | 'out'>> {
  return yargs
    .option('data', { type: 'string', describe: `Dataset folder with one sub-folder per class (default: "data" of ${PROJECT_FILE})` })
    .option('target', { type: 'string', describe: `Target-domain image folder for domain adaptation: class sub-folders (labels used only by evaluate) or a flat folder of unlabelled images (default: "target" of ${PROJECT_FILE}; none = no domain adaptation)` })
    .option('out', { type: 'string', describe: `Artifacts folder (default: "out" of ${PROJECT_FILE}, else ./artifacts)` }) as Argv<T & Pick<CommonOptions, 'data' | 'out'>>;
}

/** Options of the commands that run stages: folders, output options and `--force`. */
export function addCommonOptions<T>(yargs: Argv<T>): Argv<T & CommonOptions> {
  return addOutputOptions(addFolderOptions(yargs)).option('force', { type: 'boolean', describe: 'Rerun even if the outputs are up to date' }) as Argv<T & CommonOptions>;
}

/** yargs options of a stage's params, derived from its declaration (no yargs defaults, so params files apply). */
export function stageParamOptions(spec: StageSpec): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const [name, param] of Object.entries(spec.params)) {
    // Choices and ranges are checked by checkParam (one-line errors with near matches), not by yargs.
    const constraint =
      param.type === 'string' && param.choices ? ` [choices: ${param.choices.join(', ')}]` : param.type === 'number' || param.type === 'integer' ? ` [${param.type} ${param.min ?? '-∞'}..${param.max ?? '∞'}]` : '';
    options[kebabCase(name)] = {
      type: param.type === 'boolean' ? 'boolean' : 'string',
      ...(param.type === 'string' && param.multiple ? { array: true } : {}),
      describe: `${param.description}${constraint}`,
      defaultDescription: JSON.stringify(param.default),
      group: `${spec.name} params:`,
    };
  }
  return options;
}

/** Resolve a stage's params from its params file and the parsed command line. */
export function paramsFromArgv<S extends StageSpec>(spec: S, argv: Record<string, unknown>, paramsDir: string | undefined): ParamValues<S> {
  const overrides: Record<string, unknown> = {};
  for (const name of Object.keys(spec.params)) {
    const value = argv[kebabCase(name)];
    if (value !== undefined) overrides[name] = Array.isArray(value) ? value.join(' ') : value;
  }
  return resolveParams(spec, readParamsFile(paramsDir, spec), overrides);
}

/** Folders `--data` / `--out` resolve to: flag, else the project's config, else defaults. */
export function resolveFolders(argv: CommonOptions): ResolvedFolders {
  const project = loadProject();
  return {
    data: argv.data !== undefined ? resolve(argv.data) : project.data,
    target: argv.target !== undefined ? resolve(argv.target) : project.target,
    out: argv.out !== undefined ? resolve(argv.out) : project.out,
    paramsDir: project.paramsDir,
  };
}

/** Run one stage from parsed command-line arguments. */
export async function runStageFromArgv<S extends StageSpec>(definition: StageDefinition<S>, argv: CommonOptions & Record<string, unknown>): Promise<StageOutcome> {
  const { spec } = definition;
  const folders = resolveFolders(argv);
  const intercepted = await definition.intercept?.(argv, folders);
  if (intercepted) return intercepted;
  const params = paramsFromArgv(spec, argv, folders.paramsDir);
  const execution = Object.fromEntries(Object.keys(definition.executionOptions ?? {}).map((name) => [name, argv[name]]));
  return runStage(spec, definition.run, {
    params, out: folders.out, data: folders.data, target: folders.target, quiet: Boolean(argv.quiet), force: Boolean(argv.force), codeDirs: [...definition.codeDirs, CORE_CODE_DIR], execution,
  });
}

/**
 * Run a CLI body and turn errors into exit codes: a `GraftError` prints one line (stack with
 * --verbose), anything else is a bug and prints its stack.
 */
export async function exitOnError(body: () => Promise<void>, verbose = process.argv.includes('--verbose')): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof GraftError) {
      process.stderr.write(`graft: ${error.message}\n`);
      if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error.exitCode;
    } else {
      process.stderr.write(`graft: internal error (a bug — please report it with this trace):\n${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

/** yargs `fail` handler: usage mistakes become one-line ParamErrors (exit 2), misspelt options get a near match. */
export function usageFailure(message: string | undefined, error: Error | undefined, usage?: unknown): never {
  if (error) throw error;
  let text = (message ?? 'invalid command line').replace(/\s*\n\s*/g, ' ');
  const unknown = /^Unknown arguments?: (.+)$/.exec(text);
  // yargs passes its usage object, which knows every described option of the command.
  const described = (usage as { getDescriptions?: () => Record<string, unknown> } | undefined)?.getDescriptions?.();
  if (unknown && described) {
    const known = Object.keys(described).filter((name) => name.length > 1 && !/[A-Z]/.test(name));
    const hints = unknown[1]!.split(', ').map((name) => {
      const near = nearestChoice(name, known);
      return near ? ` — did you mean --${near}?` : '';
    });
    text = `${text}${hints.find(Boolean) ?? ''} (see --help)`;
  }
  throw new ParamError(text);
}

/** Folder of the running module's compiled code (for the code hash). */
export function moduleDir(moduleUrl: string): string {
  return dirname(fileURLToPath(moduleUrl));
}

/** Code folder of @graft/core itself. */
export const CORE_CODE_DIR = moduleDir(import.meta.url);

/**
 * A stage function whose module is imported on its first call. A definition made with it loads only
 * the stage's declaration, so the CLI lists every stage (help, status, turbo-config) without loading
 * the engines and codecs the stages compute with: `run: loadOnFirstRun(async () => (await import('./run.js')).runSplit)`.
 */
export function loadOnFirstRun<S extends StageSpec>(load: () => Promise<StageFunction<S>>): StageFunction<S> {
  return async (context) => (await load())(context);
}

/** A stage ready to run: its declaration, its function and the folders of its code. */
export interface StageDefinition<S extends StageSpec = StageSpec> {
  readonly spec: S;
  readonly run: StageFunction<S>;
  readonly codeDirs: readonly string[];
  /**
   * Command-line options that change how the stage runs, not what it produces (so they are not
   * params and not part of provenance); the stage function sees them as `context.execution`.
   */
  readonly executionOptions?: Readonly<Record<string, Options>>;
  /** Handles the command instead of a normal stage run when it returns an outcome (e.g. extract --shard). */
  readonly intercept?: (argv: CommonOptions & Record<string, unknown>, folders: ResolvedFolders) => Promise<StageOutcome | undefined>;
}

export interface ResolvedFolders {
  readonly data: string | undefined;
  /** Target-domain folder (domain adaptation), when given. */
  readonly target?: string | undefined;
  readonly out: string;
  readonly paramsDir: string | undefined;
}

/** Entry point of a stage package's own executable: parse flags from the declaration and run it. */
export async function stageMain<S extends StageSpec>(definition: StageDefinition<S>): Promise<void> {
  const { spec } = definition;
  await exitOnError(async () => {
    const { default: yargs } = await import('yargs');
    const parser = addCommonOptions(yargs(process.argv.slice(2)))
      .scriptName(`graft-${spec.name}`)
      .usage(`$0 [options]\n\n${spec.description}`)
      .options(stageParamOptions(spec))
      .options(definition.executionOptions ?? {})
      .strict()
      .fail(usageFailure)
      .help();
    const argv = (await parser.parse()) as CommonOptions & Record<string, unknown>;
    printOutcome(spec.name, await runStageFromArgv(definition, argv), argv);
  });
}

/** The result of a command on stdout: its headline, or one JSON object with --json. */
export function printOutcome(stage: string, outcome: StageOutcome, argv: CommonOptions): void {
  if (argv.json) process.stdout.write(`${JSON.stringify({ stage, skipped: outcome.skipped, ...outcome.summary })}\n`);
  else if (typeof outcome.summary.headline === 'string') process.stdout.write(`${outcome.summary.headline}\n`);
}
