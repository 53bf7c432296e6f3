/** Version of Graft written into every provenance record. */
export const GRAFT_VERSION = '0.1.0';
