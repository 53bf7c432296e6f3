import { ParamError } from '@graft/core/base';

/** `--flush-every n` as a positive integer, or undefined for the default. */
export function flushEveryOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ParamError(`extract --flush-every must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
