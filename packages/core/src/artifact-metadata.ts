import { stableStringify } from './hashing.js';

/**
 * The one metadata key of every Graft artifact. Its value is JSON `{"schema": "<kind>/<version>",
 * "provenance": {...}}`. One key only: parquet-wasm stores metadata in a hash map, so several keys
 * would be written in a random order and identical runs would give different bytes.
 */
export const GRAFT_METADATA_KEY = 'graft';

/** What every Graft artifact says about itself. */
export interface ArtifactHeader {
  readonly schema: string;
  readonly provenance: Record<string, unknown>;
}

/** Schema metadata of an artifact: its schema version and provenance under one key. */
export function artifactMetadata(schema: string, provenance: Record<string, unknown> = {}): Map<string, string> {
  return new Map([[GRAFT_METADATA_KEY, stableStringify({ schema, provenance })]]);
}
