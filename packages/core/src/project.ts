import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ParamError } from './errors.js';

/** Name of the file that marks a Graft project root and names its default folders. */
export const PROJECT_FILE = 'graft.config.json';

export interface ProjectConfig {
  /** Absolute project root, or undefined when Graft runs outside a project. */
  readonly root: string | undefined;
  /** Default dataset folder (absolute), if the project names one. */
  readonly data: string | undefined;
  /** Default target-domain folder (absolute) for domain adaptation, if the project names one. */
  readonly target?: string | undefined;
  /** Default artifacts folder (absolute). */
  readonly out: string;
  /** Folder of per-stage params files `<stage>.json` (absolute), if any. */
  readonly paramsDir: string | undefined;
}

/** Find the nearest ancestor of `start` holding `graft.config.json` and read it. */
export function loadProject(start: string = process.cwd()): ProjectConfig {
  let directory = resolve(start);
  for (;;) {
    const file = join(directory, PROJECT_FILE);
    if (existsSync(file)) return readProject(directory, file);
    const parent = dirname(directory);
    if (parent === directory) return { root: undefined, data: undefined, out: resolve(start, 'artifacts'), paramsDir: undefined };
    directory = parent;
  }
}

function readProject(root: string, file: string): ProjectConfig {
  let config: { data?: unknown; target?: unknown; out?: unknown; params?: unknown };
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ParamError(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const folder = (key: 'data' | 'target' | 'out' | 'params', fallback?: string) => {
    const value = config[key] ?? fallback;
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new ParamError(`${file}: "${key}" must be a folder path string, got ${JSON.stringify(value)}`);
    return resolve(root, value);
  };
  return { root, data: folder('data'), target: folder('target'), out: folder('out', 'artifacts')!, paramsDir: folder('params', 'params') };
}
