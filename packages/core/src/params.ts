import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ParamError, choiceMessage } from './errors.js';
import { kebabCase, type ParamSpec, type ParamValues, type StageSpec } from './spec.js';

/** The params file of a stage: `<paramsDir>/<stage>.json`, keys spelt as on the command line. */
export function paramsFilePath(paramsDir: string, stage: string): string {
  return join(paramsDir, `${stage}.json`);
}

/** Read a stage's params file (kebab-case keys). Missing file = no overrides. */
export function readParamsFile(paramsDir: string | undefined, spec: StageSpec): Record<string, unknown> {
  if (!paramsDir) return {};
  const file = paramsFilePath(paramsDir, spec.name);
  if (!existsSync(file)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ParamError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ParamError(`${file} must hold a JSON object of ${spec.name} params`);
  const byKebab = new Map(Object.keys(spec.params).map((name) => [kebabCase(name), name]));
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = byKebab.get(key);
    if (!name) throw new ParamError(`${file}: ${choiceMessage(`${spec.name} param`, key, [...byKebab.keys()])}`);
    values[name] = value;
  }
  return values;
}

/**
 * Resolve a stage's params: defaults, then the params file, then explicit overrides (CLI flags).
 * Every value is checked against its declaration; the first bad one raises a `ParamError`.
 */
export function resolveParams<S extends StageSpec>(spec: S, fromFile: Record<string, unknown>, overrides: Record<string, unknown>): ParamValues<S> {
  const resolved: Record<string, unknown> = {};
  for (const [name, param] of Object.entries(spec.params)) {
    const value = overrides[name] ?? fromFile[name] ?? param.default;
    resolved[name] = checkParam(spec.name, name, param, value);
  }
  return resolved as ParamValues<S>;
}

/** Validate and normalise one value; returns the value with its declared type. */
export function checkParam(stage: string, name: string, param: ParamSpec, value: unknown): unknown {
  const flag = `--${kebabCase(name)}`;
  switch (param.type) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new ParamError(`${stage} ${flag} must be true or false, got ${JSON.stringify(value)}`);
    case 'string':
      // A number where the string spells numbers (`"l2": 0.001` in a params file).
      if (typeof value === 'number' && param.pattern && Number.isFinite(value)) value = String(value);
      if (typeof value !== 'string' || (value === '' && param.default !== '')) throw new ParamError(`${stage} ${flag} must be a non-empty string, got ${JSON.stringify(value)}`);
      if (param.choices && !param.choices.includes(value)) throw new ParamError(`${stage} ${flag}: ${choiceMessage(name, value, param.choices)}`);
      if (param.pattern && !param.pattern.test(value)) throw new ParamError(`${stage} ${flag} must be ${param.expected ?? `like ${param.pattern}`}, got ${JSON.stringify(value)}`);
      return value;
    case 'number':
    case 'integer': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      const range = `${param.min ?? '-∞'}..${param.max ?? '∞'}`;
      if (typeof number !== 'number' || !Number.isFinite(number)) {
        throw new ParamError(`${stage} ${flag} must be ${param.type === 'integer' ? 'an integer' : 'a number'} in ${range}, got ${JSON.stringify(value)}`);
      }
      if (param.type === 'integer' && !Number.isInteger(number)) throw new ParamError(`${stage} ${flag} must be an integer in ${range}, got ${number}`);
      if ((param.min !== undefined && number < param.min) || (param.max !== undefined && number > param.max)) {
        throw new ParamError(`${stage} ${flag} must be in ${range}, got ${number}`);
      }
      return number;
    }
  }
}
