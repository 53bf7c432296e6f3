import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { graft } from './helpers/graft-cli.js';
import { DEMO, QUICK_PIPELINE, runDemoPipeline } from './helpers/demo-pipeline.js';
import { REPO_ROOT } from './helpers/project-copy.js';

const TARGET = join(REPO_ROOT, 'data', 'emoji-demo5', 'fluent-flat');

/** Inference engines: only the stages that compute with them may load them. */
const ENGINES = /\/node_modules\/(@tensorflow\/|onnxruntime-(node|common)\/)/;
/** Inference engines and image codecs. */
const HEAVY = new RegExp(`${ENGINES.source}|/node_modules/(sharp|@img)/`);
/** Arrow and Parquet: read by status and inspect, never needed to print help. */
const TABLES = /\/node_modules\/(apache-arrow|parquet-wasm)\//;

/** The packages among `urls` that `pattern` matches, each named once. */
function packagesMatching(urls: readonly string[], pattern: RegExp): string[] {
  return [...new Set(urls.filter((url) => pattern.test(url)).map((url) => /\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(url)![1]!))].sort();
}

const RECORDER = pathToFileURL(join(import.meta.dirname, 'helpers', 'record-modules.mjs')).href;

/** Run a command with the module recorder preloaded: every module URL it resolved, and its output. */
async function modulesLoadedBy(run: (env: NodeJS.ProcessEnv) => Promise<{ code: number; stdout: string; stderr: string }>): Promise<{ modules: string[]; stdout: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'graft-modules-')), 'modules.txt');
  const result = await run({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`, GRAFT_RECORD_MODULES: file });
  expect(result.code, result.stderr).toBe(0);
  expect(existsSync(file), 'the recorder wrote nothing: was it preloaded?').toBe(true);
  return { modules: readFileSync(file, 'utf8').split('\n').filter(Boolean), stdout: result.stdout };
}

const cli = (args: readonly string[]) => modulesLoadedBy((env) => graft(args, { env }));

describe('CLI start-up loads no inference engine or image codec', () => {
  let out: string;
  let splitModules: string[];
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'graft-startup-'));
    splitModules = (await cli(['split', '--data', DEMO, '--out', out, '--quiet'])).modules;
  });

  it('graft split loads its image codec but no inference engine', () => {
    expect(packagesMatching(splitModules, HEAVY)).toContain('sharp');
    expect(packagesMatching(splitModules, ENGINES)).toEqual([]);
  });

  it.each([[['--help']], [['extract', '--help']], [['run', '--help']], [['predict', '--help']], [['backbones']]])('graft %j loads neither engines nor Arrow', async (args) => {
    const { modules } = await cli(args);
    expect(modules.some((url) => url.includes('/yargs/')), 'recorded the CLI itself').toBe(true);
    expect(packagesMatching(modules, HEAVY)).toEqual([]);
    expect(packagesMatching(modules, TABLES)).toEqual([]);
  });

  it('graft status on a project with artifacts', async () => {
    const { modules, stdout } = await cli(['status', '--data', DEMO, '--out', out]);
    expect(stdout).toMatch(/^split\s+up to date/m); // so it hashed the data folder
    expect(packagesMatching(modules, HEAVY)).toEqual([]);
    // Without a target domain split's provenance says so: the manifest is not read.
    expect(packagesMatching(modules, TABLES)).toEqual([]);
  });

  it('graft status with a target domain reads the manifest and lists the adaptation stages', async () => {
    const withTarget = mkdtempSync(join(tmpdir(), 'graft-startup-target-'));
    expect((await graft(['split', '--data', DEMO, '--target', TARGET, '--out', withTarget, '--quiet'])).code).toBe(0);
    const { modules, stdout } = await cli(['status', '--data', DEMO, '--target', TARGET, '--out', withTarget]);
    expect(stdout.split('\n').map((line) => line.split(' ')[0])).toEqual(expect.arrayContaining(['similarity', 'adapt']));
    expect(packagesMatching(modules, TABLES)).toEqual(['apache-arrow', 'parquet-wasm']);
    expect(packagesMatching(modules, HEAVY)).toEqual([]);
  });

  it.each([['manifest'], ['split'], ['split/classes.parquet']])('graft inspect %s', async (artifact) => {
    const { modules } = await cli(['inspect', artifact, '--out', out]);
    expect(packagesMatching(modules, HEAVY)).toEqual([]);
  });

  it('a stage package\'s own executable prints its help without loading what the stage runs with', async () => {
    const run = promisify(execFile);
    const { modules } = await modulesLoadedBy(async (env) => {
      const { stdout, stderr } = await run(process.execPath, [join(REPO_ROOT, 'packages', 'extract', 'dist', 'bin.js'), '--help'], { env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    });
    expect(packagesMatching(modules, HEAVY)).toEqual([]);
    expect(packagesMatching(modules, TABLES)).toEqual([]);
  });
});

describe('each stage loads only what it computes with', () => {
  let out: string;
  beforeAll(async () => {
    ({ out } = await runDemoPipeline());
    // Features are computed again, through the ONNX export cached by the first run.
    rmSync(join(out, 'cache', 'features'), { recursive: true, force: true });
  });

  it('extract with its ONNX export cached runs onnxruntime and never loads tfjs', async () => {
    const { modules, stdout } = await cli(['extract', '--data', DEMO, '--out', out, '--backbone', 'mobilenet_v2', '--force', '--json', '--quiet']);
    expect(JSON.parse(stdout)).toMatchObject({ engine: 'onnxruntime', computed: 274 });
    // onnxruntime runs on a worker thread, whose imports the recorder does not see: no tfjs in this one.
    expect(packagesMatching(modules, ENGINES)).toEqual([]);
  });

  it.each([['train'], ['doctor'], ['evaluate']])('%s loads no inference engine', async (stage) => {
    const { modules } = await cli([stage, '--data', DEMO, '--out', out, '--force', '--quiet', ...(stage === 'train' ? QUICK_PIPELINE.slice(2) : [])]);
    expect(packagesMatching(modules, ENGINES)).toEqual([]);
    if (stage === 'train') expect(packagesMatching(modules, HEAVY)).toEqual([]);
  });
});
