import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `../shared/models/` beside the repository (real ImageNet TFLite networks and nine photos with
 * TFLite's own answers): read at test time, never committed. $GRAFT_SHARED_MODELS points elsewhere.
 */
export const SHARED_MODELS = process.env.GRAFT_SHARED_MODELS ?? resolve(import.meta.dirname, '..', '..', '..', 'shared', 'models');
export const TFLITE_DIR = join(SHARED_MODELS, 'imagenet-tflite');
export const PHOTOS_DIR = join(SHARED_MODELS, 'photos');

/** Whether the shared models are here; the tests that need them say so in their title when they are not. */
export const HAVE_SHARED_MODELS = existsSync(join(TFLITE_DIR, 'mobilenet_v2_1.0_224_quant.tflite'));
export const SHARED_MODELS_NOTE = HAVE_SHARED_MODELS ? '' : ` (skipped: ${SHARED_MODELS} not found — set GRAFT_SHARED_MODELS)`;
