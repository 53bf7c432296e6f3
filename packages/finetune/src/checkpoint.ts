import { readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, stableStringify, writeFileAtomic } from '@graft/core';

const CHECKPOINT_FORMAT = 'graft.finetune-checkpoint/1';
const STATE_FILE = 'state.json';

/** A named float32 tensor of a checkpoint. */
export interface SavedTensor {
  readonly shape: number[];
  readonly values: Float32Array;
}

/** Everything needed to continue training after the last finished epoch. */
export interface SavedTraining<State> {
  readonly state: State;
  readonly tensors: ReadonlyMap<string, SavedTensor>;
}

/**
 * The training state after each finished epoch, in one folder per run key (stage, params, inputs
 * and code): `state.json` naming a content-addressed `tensors-<sha>.bin`, both written atomically
 * (the .bin first), so a kill at any moment leaves the previous checkpoint or the new one, never a
 * mix. A rerun of the same run resumes from it; a finished run removes it.
 */
export class EpochCheckpoint<State> {
  constructor(readonly directory: string) {}

  async save(training: SavedTraining<State>): Promise<void> {
    const entries = [...training.tensors.entries()].sort(([a], [b]) => a.localeCompare(b));
    const total = entries.reduce((sum, [, tensor]) => sum + tensor.values.length, 0);
    const values = new Float32Array(total);
    let offset = 0;
    const index = entries.map(([name, tensor]) => {
      values.set(tensor.values, offset);
      const entry = { name, shape: tensor.shape, offset, length: tensor.values.length };
      offset += tensor.values.length;
      return entry;
    });
    const bytes = new Uint8Array(values.buffer);
    const binary = `tensors-${sha256(bytes).slice(0, 16)}.bin`;
    await writeFileAtomic(join(this.directory, binary), bytes);
    await writeFileAtomic(join(this.directory, STATE_FILE), stableStringify({ format: CHECKPOINT_FORMAT, state: training.state, binary, tensors: index }, 2));
    for (const file of await readdir(this.directory)) if (file.startsWith('tensors-') && file !== binary) await unlink(join(this.directory, file)).catch(() => undefined);
  }

  /** The last checkpoint, or undefined when there is none or it cannot be read whole. */
  async load(): Promise<SavedTraining<State> | undefined> {
    try {
      const saved = JSON.parse(await readFile(join(this.directory, STATE_FILE), 'utf8')) as { format: string; state: State; binary: string; tensors: { name: string; shape: number[]; offset: number; length: number }[] };
      if (saved.format !== CHECKPOINT_FORMAT) return undefined;
      const bytes = await readFile(join(this.directory, saved.binary));
      if (!saved.binary.includes(sha256(bytes).slice(0, 16))) return undefined;
      const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const tensors = new Map(saved.tensors.map((t) => [t.name, { shape: t.shape, values: values.slice(t.offset, t.offset + t.length) }] as const));
      return { state: saved.state, tensors };
    } catch {
      return undefined;
    }
  }

  async clear(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}
