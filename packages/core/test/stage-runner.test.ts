import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeHash, defineStage, hashInputs, inputFrom, outOfDateReason, runStage, stageKey, type StageFunction } from '../src/index.js';

const source = defineStage({
  name: 'split',
  package: '@test/source',
  description: 'writes a number',
  readsDataset: false,
  inputs: {},
  outputs: { value: { file: 'value.txt', description: 'a number' } },
  params: { value: { type: 'integer', default: 1, description: 'the number' } },
});

const doubled = defineStage({
  name: 'train',
  package: '@test/doubled',
  description: 'doubles it',
  readsDataset: false,
  inputs: { value: inputFrom(source, 'value') },
  outputs: { doubled: { file: 'doubled.txt', description: 'twice the number' } },
  params: { extraOffset: { type: 'integer', default: 0, description: 'added after doubling' } },
});

const writeValue: StageFunction<typeof source> = async (context) => {
  writeFileSync(context.outputPath('value'), String(context.params.value));
  return { summary: {} };
};

const double: StageFunction<typeof doubled> = async (context) => {
  writeFileSync(context.outputPath('doubled'), String(2 * Number(readFileSync(context.inputPath('value'), 'utf8')) + context.params.extraOffset));
  return { summary: { key: context.provenance.key } };
};

describe('runStage and outOfDateReason', () => {
  it('says precisely why a stage is not up to date, cheapest reason first', async () => {
    const out = mkdtempSync(join(tmpdir(), 'graft-runner-'));
    const code = mkdtempSync(join(tmpdir(), 'graft-code-'));
    writeFileSync(join(code, 'stage.js'), 'version 1');
    const state = async (offset: number) => {
      const inputs = await hashInputs(doubled, out);
      const params = { extraOffset: offset };
      return { params, inputs, key: stageKey(doubled, params, inputs, codeHash([code])) };
    };
    const run = (offset: number) => runStage(doubled, double, { params: { extraOffset: offset }, out, codeDirs: [code], quiet: true });

    await expect(hashInputs(doubled, out)).rejects.toThrow(/train needs .*value\.txt: run `graft split` first/);
    await runStage(source, writeValue, { params: { value: 3 }, out, codeDirs: [code], quiet: true });
    expect(outOfDateReason(doubled, out, await state(0))).toBe('never ran');

    const first = await run(0);
    expect(first.skipped).toBe(false);
    expect(readFileSync(join(out, 'train', 'doubled.txt'), 'utf8')).toBe('6');
    expect(first.summary.key).toBe((await state(0)).key); // the context carries the key written to provenance.json
    expect(JSON.parse(readFileSync(join(out, 'train', 'provenance.json'), 'utf8')).key).toBe(first.summary.key);
    expect(outOfDateReason(doubled, out, await state(0))).toBeUndefined();
    expect((await run(0)).skipped).toBe(true);

    expect(outOfDateReason(doubled, out, await state(5))).toBe('params changed: extra-offset 0 → 5');

    await runStage(source, writeValue, { params: { value: 4 }, out, codeDirs: [code], quiet: true });
    expect(outOfDateReason(doubled, out, await state(0))).toBe('input changed: split/value.txt');

    await run(0);
    writeFileSync(join(code, 'stage.js'), 'version 2');
    expect(outOfDateReason(doubled, out, await state(0))).toBe('code changed');

    await run(0);
    rmSync(join(out, 'train', 'doubled.txt'));
    expect(outOfDateReason(doubled, out, await state(0))).toBe('output doubled.txt is missing');
    expect((await run(0)).skipped).toBe(false);
    expect(readFileSync(join(out, 'train', 'doubled.txt'), 'utf8')).toBe('8');
  });
});
