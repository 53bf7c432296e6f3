import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This package's compiled code: stages whose results it computes hash it for their up-to-date check. */
export const LINALG_CODE_DIR = dirname(fileURLToPath(import.meta.url));
