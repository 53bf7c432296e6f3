import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceDirectoryAtomic } from './atomic.js';
import { codeHash } from './code-hash.js';
import { ArtifactNotFoundError } from './errors.js';
import { hashJson, sha256File, stableStringify } from './hashing.js';
import { artifactPath, PROVENANCE_FILE, stageDir } from './layout.js';
import { artifactMetadata } from './artifact-metadata.js';
import { kebabCase, type ParamValues, type StageSpec } from './spec.js';
import { GRAFT_VERSION } from './version.js';

export interface StageRunOptions<S extends StageSpec> {
  readonly params: ParamValues<S>;
  /** Artifacts root: the stage writes `<out>/<stage>/` and reads its inputs from `<out>/<upstream>/`. */
  readonly out: string;
  /** Dataset folder (stages with `readsDataset`). */
  readonly data?: string | undefined;
  /** Target-domain folder (stages with `readsDataset`, when domain adaptation is on). */
  readonly target?: string | undefined;
  readonly quiet?: boolean;
  /** Rerun even if the outputs are up to date. */
  readonly force?: boolean;
  /** Folders of the code that implements the stage (hashed into the up-to-date key). */
  readonly codeDirs: readonly string[];
  /** Options that change how the stage runs, not what it produces (not in provenance). */
  readonly execution?: Readonly<Record<string, unknown>>;
}

/** What a stage's function sees. It writes every declared output into `outputDir`. */
export interface StageContext<S extends StageSpec> {
  readonly spec: S;
  readonly params: ParamValues<S>;
  readonly out: string;
  readonly data: string | undefined;
  /** Target-domain image folder, when given (`--target`); undefined = no domain adaptation. */
  readonly target: string | undefined;
  /** Temporary folder that becomes `<out>/<stage>/` when the stage succeeds. */
  readonly outputDir: string;
  /** The provenance of this run as far as it is known before the stage function runs. */
  readonly provenance: ProvenanceBase;
  readonly quiet: boolean;
  /** Options that change how the stage runs, not what it produces (see StageDefinition.executionOptions). */
  readonly execution: Readonly<Record<string, unknown>>;
  /** Path of a declared input artifact. */
  inputPath(name: keyof S['inputs'] & string): string;
  /** sha256 of each input artifact file, keyed `<stage>/<file>`. */
  readonly inputHashes: Readonly<Record<string, string>>;
  /** Path inside `outputDir` of a declared output. */
  outputPath(name: keyof S['outputs'] & string): string;
  /** Arrow schema metadata for a declared output: its schema version and the stage's provenance. */
  artifactMetadata(name: keyof S['outputs'] & string, details?: Record<string, unknown>): Map<string, string>;
  /** Informational line on stderr (suppressed by --quiet). */
  log(message: string): void;
}

/** What a stage returns: a machine-readable summary and details for its provenance record. */
export interface StageResult {
  readonly summary: Record<string, unknown>;
  readonly details?: Record<string, unknown>;
}

export type StageFunction<S extends StageSpec> = (context: StageContext<S>) => Promise<StageResult>;

export interface StageOutcome extends StageResult {
  /** True when the outputs were already up to date and the stage did not run. */
  readonly skipped: boolean;
}

/** The part of a provenance record every stage run has. */
export interface ProvenanceBase {
  readonly stage: string;
  readonly graft: string;
  readonly params: Record<string, unknown>;
  /** sha256 of each input artifact, keyed `<stage>/<file>`. */
  readonly inputs: Record<string, string>;
  /** Hash of stage, params, inputs and code: equal keys mean equal outputs. */
  readonly key: string;
}

/** The provenance record of a stage run, as written to `provenance.json` and into each artifact. */
export interface Provenance extends ProvenanceBase {
  readonly [detail: string]: unknown;
}

/** Hash every declared input file of a stage; a missing one says which stage to run. */
export async function hashInputs(spec: StageSpec, out: string): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const input of Object.values(spec.inputs)) {
    const path = artifactPath(out, input.stage, input);
    if (input.optional && !existsSync(path)) continue;
    if (!existsSync(path)) throw new ArtifactNotFoundError(`${spec.name} needs ${path}: run \`graft ${input.stage}\` first (or \`graft run\`).`);
    hashes[`${input.stage}/${input.file}`] = await sha256File(path);
  }
  return hashes;
}

/** The up-to-date key of a stage run. */
export function stageKey(spec: StageSpec, params: Record<string, unknown>, inputs: Record<string, string>, code: string): string {
  return hashJson({ stage: spec.name, graft: GRAFT_VERSION, params, inputs, code });
}

/** Read `<out>/<stage>/provenance.json`, or undefined when absent or unreadable. */
export function readProvenance(out: string, spec: StageSpec): Provenance | undefined {
  try {
    return JSON.parse(readFileSync(join(stageDir(out, spec.name), PROVENANCE_FILE), 'utf8')) as Provenance;
  } catch {
    return undefined;
  }
}

/** What a stage run would be: its resolved params, input hashes and up-to-date key. */
export interface StageState {
  readonly params: Record<string, unknown>;
  readonly inputs: Record<string, string>;
  readonly key: string;
}

/**
 * Why a stage is not up to date, or undefined when it is. Cheapest checks first, and as precise
 * as the previous provenance allows: which output is missing, which params or inputs changed.
 */
export function outOfDateReason(spec: StageSpec, out: string, current: StageState): string | undefined {
  const previous = readProvenance(out, spec);
  if (!previous) return 'never ran';
  for (const output of Object.values(spec.outputs)) {
    if (!output.optional && !existsSync(artifactPath(out, spec.name, output))) return `output ${output.file} is missing`;
  }
  if (previous.key === current.key) return undefined;
  const changedParams = changedKeys(previous.params ?? {}, current.params).map((name) => `${kebabCase(name)} ${JSON.stringify(previous.params?.[name])} → ${JSON.stringify(current.params[name])}`);
  if (changedParams.length) return `params changed: ${changedParams.join(', ')}`;
  const changedInputs = changedKeys(previous.inputs ?? {}, current.inputs);
  if (changedInputs.length) return `input${changedInputs.length > 1 ? 's' : ''} changed: ${changedInputs.join(', ')}`;
  if (previous.graft !== GRAFT_VERSION) return `made by graft ${previous.graft}, this is ${GRAFT_VERSION}`;
  return 'code changed';
}

/** Keys whose values differ between two flat records (either side may lack the key), sorted. */
function changedKeys(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => stableStringify(before[k]) !== stableStringify(after[k])).sort();
}

/**
 * Run a stage: hash its inputs, skip it when its outputs are up to date, otherwise run it into a
 * temporary folder, check every declared output exists, write its provenance and move the
 * folder into place. A failing stage leaves the previous outputs untouched.
 */
export async function runStage<S extends StageSpec>(spec: S, run: StageFunction<S>, options: StageRunOptions<S>): Promise<StageOutcome> {
  const quiet = options.quiet ?? false;
  const log = (message: string) => {
    if (!quiet) process.stderr.write(`${message}\n`);
  };
  const inputs = await hashInputs(spec, options.out);
  const params = { ...options.params } as Record<string, unknown>;
  const key = stageKey(spec, params, inputs, codeHash(options.codeDirs));
  if (Object.keys(spec.inputs).length > 0 && !options.force) {
    const reason = outOfDateReason(spec, options.out, { params, inputs, key });
    if (reason === undefined) {
      const previous = readProvenance(options.out, spec)!;
      log(`${spec.name}: up to date, skipped (outputs in ${stageDir(options.out, spec.name)})`);
      return { skipped: true, summary: (previous.summary as Record<string, unknown>) ?? {} };
    }
    if (reason !== 'never ran') log(`${spec.name}: rerunning — ${reason}`);
  }
  let result: StageResult | undefined;
  await replaceDirectoryAtomic(stageDir(options.out, spec.name), async (outputDir) => {
    const provenanceBase: ProvenanceBase = { stage: spec.name, graft: GRAFT_VERSION, params, inputs, key };
    const context: StageContext<S> = {
      spec,
      params: options.params,
      out: options.out,
      data: options.data,
      target: options.target,
      outputDir,
      provenance: provenanceBase,
      quiet,
      execution: options.execution ?? {},
      inputHashes: inputs,
      inputPath: (name) => artifactPath(options.out, spec.inputs[name]!.stage, spec.inputs[name]!),
      outputPath: (name) => join(outputDir, spec.outputs[name]!.file),
      artifactMetadata: (name, details = {}) => artifactMetadata(spec.outputs[name]!.schema ?? '', { ...provenanceBase, ...details }),
      log,
    };
    result = await run(context);
    for (const output of Object.values(spec.outputs)) {
      if (!output.optional && !existsSync(join(outputDir, output.file))) throw new Error(`stage ${spec.name} did not write its declared output ${output.file}`);
    }
    const provenance = { ...provenanceBase, ...result.details, summary: result.summary };
    await writeFile(join(outputDir, PROVENANCE_FILE), stableStringify(provenance, 2) + '\n');
  });
  return { skipped: false, ...result! };
}
