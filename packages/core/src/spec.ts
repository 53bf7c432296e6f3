/**
 * A stage is declared once: what it reads, what it writes and which parameters it takes.
 * The CLI options, the turbo.json task, the params file and the provenance record all derive from
 * a `StageSpec`, so they cannot drift apart.
 */

interface ParamBase<T> {
  /** One sentence shown by `--help`. */
  readonly description: string;
  readonly default: T;
}

export interface NumberParam extends ParamBase<number> {
  readonly type: 'number' | 'integer';
  /** Inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
}

export interface StringParam extends ParamBase<string> {
  readonly type: 'string';
  /** When set, the value must be one of these. */
  readonly choices?: readonly string[];
  /** The flag takes several space-separated words (`--sweep lr=0.1,1 hidden=0,64`), joined by one space. */
  readonly multiple?: boolean;
  /** When set, the value must match, and `expected` says in words what it must be. */
  readonly pattern?: RegExp;
  readonly expected?: string;
}

export interface BooleanParam extends ParamBase<boolean> {
  readonly type: 'boolean';
}

export type ParamSpec = NumberParam | StringParam | BooleanParam;

export type ParamValue<P extends ParamSpec> = P extends BooleanParam ? boolean : P extends StringParam ? string : number;

/** Resolved parameter values of a stage, typed from its declaration. */
export type ParamValues<S extends { params: Record<string, ParamSpec> }> = {
  -readonly [K in keyof S['params']]: ParamValue<S['params'][K]>;
};

/** A file a stage writes into its output folder `<out>/<stage>/`. */
export interface OutputSpec {
  /** File name inside the stage's output folder. */
  readonly file: string;
  /** `<kind>/<version>` stored in the artifact and checked by readers; absent for plain files. */
  readonly schema?: string;
  readonly description: string;
  /** Written only in some configurations (e.g. export's tfjs files or its ONNX file): not required to exist. */
  readonly optional?: boolean;
}

export type StageName = 'split' | 'extract' | 'similarity' | 'train' | 'doctor' | 'adapt' | 'evaluate' | 'export' | 'finetune';

/** An artifact of an upstream stage that a stage reads. */
export interface InputSpec extends OutputSpec {
  readonly stage: StageName;
  /**
   * Read when present, else ignored (not hashed, no error): outputs of stages that run only
   * sometimes, e.g. domain adaptation, which needs a target domain.
   */
  readonly optional?: boolean;
}

export interface StageSpec {
  readonly name: StageName;
  /** npm workspace package that implements the stage and holds its turbo task. */
  readonly package: string;
  readonly description: string;
  /** Whether the stage reads the image files (split scans them, extract decodes them, evaluate makes thumbnails); only a stage without inputs hashes the folder itself. */
  readonly readsDataset: boolean;
  /**
   * Domain-adaptation stages: they only make sense when the manifest holds a target domain
   * (`--target`); without one they do nothing and `graft run` passes over them.
   */
  readonly needsTarget?: boolean;
  /** Upstream artifacts this stage reads, made with `inputFrom`. */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: Readonly<Record<string, OutputSpec>>;
  readonly params: Readonly<Record<string, ParamSpec>>;
}

/** Identity function that keeps the literal types of a stage declaration. */
export function defineStage<const S extends StageSpec>(spec: S): S {
  return Object.freeze(spec);
}

/** Declare that a stage reads output `name` of `upstream`: the file name and schema come from there. */
export function inputFrom<S extends StageSpec, K extends keyof S['outputs'] & string>(upstream: S, name: K, options: { optional?: boolean } = {}): InputSpec {
  return { ...upstream.outputs[name]!, stage: upstream.name, ...(options.optional ? { optional: true } : {}) };
}

/** Stages a stage depends on, in declaration order, without repeats. */
export function upstreamStages(spec: StageSpec): StageName[] {
  return [...new Set(Object.values(spec.inputs).map((input) => input.stage))];
}

/** camelCase → kebab-case: the spelling of a param on the command line and in params files. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
