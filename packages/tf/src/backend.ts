import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BackboneError, choiceMessage } from '@graft/core';

const require = createRequire(import.meta.url);

/** tfjs backends Graft can run on, fastest first. */
export const TFJS_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];

let active: TfjsBackend | undefined;

/**
 * Make tfjs use the best backend that loads here: `tensorflow` (@tensorflow/tfjs-node, an optional
 * dependency), then `wasm` (SIMD, ships its .wasm in the package), then pure-JS `cpu`.
 * With `required`, only that backend is tried and failure is an error.
 */
export async function useTfjsBackend(required?: string): Promise<TfjsBackend> {
  if (required !== undefined && !(TFJS_BACKENDS as readonly string[]).includes(required)) {
    throw new BackboneError(choiceMessage('tfjs backend', required, TFJS_BACKENDS));
  }
  if (active && (!required || required === active)) return active;
  const candidates = required ? [required as TfjsBackend] : [...TFJS_BACKENDS];
  const failures: string[] = [];
  for (const backend of candidates) {
    try {
      await registerBackend(backend);
      if (!(await tf.setBackend(backend))) throw new Error('setBackend returned false');
      await tf.ready();
      active = backend;
      return backend;
    } catch (error) {
      failures.push(`${backend}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new BackboneError(`no tfjs backend could be loaded (${failures.join('; ')})`);
}

async function registerBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'tensorflow') {
    // Optional dependency: present only where libtensorflow could be downloaded at install time.
    await import('@tensorflow/tfjs-node' as string);
  } else if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  }
}

/** The tfjs namespace (the backend is chosen by `useTfjsBackend`). */
export { tf };
