/**
 * `@graft/core/base`: @graft/core without its Arrow/Parquet table code — declaring, running and
 * checking stages, hashing, files, errors. It loads in milliseconds, so the modules the CLI needs to
 * start (stage declarations, definitions, `graft --help`, `graft status`) import this, not the index.
 */
export { GraftError, ParamError, DatasetError, ArtifactError, ArtifactNotFoundError, SchemaMismatchError, BackboneError, choiceMessage, nearestChoice, editDistance } from './errors.js';
export { sha256, sha256File, stableStringify, hashJson } from './hashing.js';
export { SeededRandom } from './random.js';
export { writeFileAtomic, replaceDirectoryAtomic, temporarySibling, removeStaleTemporaries, withLock } from './atomic.js';
export { artifactMetadata, GRAFT_METADATA_KEY } from './artifact-metadata.js';
export type { ArtifactHeader } from './artifact-metadata.js';
export { defineStage, inputFrom, upstreamStages, kebabCase } from './spec.js';
export type { StageSpec, StageName, ParamSpec, NumberParam, StringParam, BooleanParam, ParamValues, OutputSpec, InputSpec } from './spec.js';
export { resolveParams, readParamsFile, checkParam, paramsFilePath } from './params.js';
export { loadProject, PROJECT_FILE } from './project.js';
export type { ProjectConfig } from './project.js';
export { Progress, formatSeconds, progressBar } from './progress.js';
export type { ProgressOptions } from './progress.js';
export { memoryPhase } from './memory-trace.js';
export { stageDir, artifactPath, cacheDir, PROVENANCE_FILE } from './layout.js';
export { runStage, hashInputs, stageKey, readProvenance, outOfDateReason } from './stage-runner.js';
export type { StageContext, StageResult, StageFunction, StageOutcome, StageRunOptions, Provenance, ProvenanceBase, StageState } from './stage-runner.js';
export { codeHash } from './code-hash.js';
export { GRAFT_VERSION } from './version.js';
export { mapConcurrent, cpuCount } from './concurrency.js';
export { DecoderLock } from './decoder-lock.js';
export { BlockingWorkerPool, servePoolTasks, builtScript, usefulWorkers, sharedFloats } from './blocking-pool.js';
export type { PoolWorkerData } from './blocking-pool.js';
export { addCommonOptions, addOutputOptions, addFolderOptions, stageParamOptions, paramsFromArgv, resolveFolders, runStageFromArgv, exitOnError, usageFailure, stageMain, moduleDir, CORE_CODE_DIR, printOutcome, loadOnFirstRun } from './stage-cli.js';
export type { StageDefinition, ResolvedFolders } from './stage-cli.js';
export type { CommonOptions } from './stage-cli.js';
export { turboConfig } from './turbo-config.js';
export type { TurboLayout } from './turbo-config.js';
