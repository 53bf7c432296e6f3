/** Pixel ranges a network may expect, and the scale/offset that produce them. */
export const INPUT_RANGES = {
  '0,1': { scale: 1 / 255, offset: 0 },
  '-1,1': { scale: 2 / 255, offset: -1 },
  '0,255': { scale: 1, offset: 0 },
} as const;
export type InputRange = keyof typeof INPUT_RANGES;
