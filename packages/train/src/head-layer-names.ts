/** Layer names of the head inside every tfjs model Graft writes (the head model and the export). */
export const HEAD_LAYER_NAMES = { hidden: 'graft_hidden', output: 'final_result' } as const;
