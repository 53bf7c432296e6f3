/**
 * Error tree of Graft. Every error a user can cause is a `GraftError`: the CLI prints its message in
 * one line and exits with `exitCode`; anything else is a bug and is printed with its stack.
 */
export class GraftError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A parameter or flag has an invalid value or name. Thrown while resolving params. */
export class ParamError extends GraftError {
  override readonly exitCode = 2;
}

/** The dataset folder is missing, empty or unusable. Thrown by split. */
export class DatasetError extends GraftError {
  override readonly exitCode = 2;
}

/** An artifact cannot be read or written. Thrown at artifact I/O boundaries. */
export class ArtifactError extends GraftError {}

/** An artifact a stage needs does not exist: the upstream stage has not run. */
export class ArtifactNotFoundError extends ArtifactError {
  override readonly exitCode = 2;
}

/** An artifact was written by another schema version or is damaged. */
export class SchemaMismatchError extends ArtifactError {
  override readonly exitCode = 2;
}

/** A backbone, model or inference engine cannot be loaded or run. Thrown by extract. */
export class BackboneError extends GraftError {
  override readonly exitCode = 2;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The closest choice to `value`, if it is close enough to be a plausible typo. */
export function nearestChoice(value: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(value.toLowerCase(), choice.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [choice, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(value.length / 3)) ? best : undefined;
}

/** "Unknown backbone: x. Must be one of [a, b] — did you mean 'a'?" */
export function choiceMessage(subject: string, value: string, choices: readonly string[]): string {
  const near = nearestChoice(value, choices);
  return `Unknown ${subject}: '${value}'. Must be one of [${choices.join(', ')}]${near ? ` — did you mean '${near}'?` : ''}`;
}
