export interface ScheduleOptions {
  readonly learningRate: number;
  readonly learningRateSchedule: string;
  readonly learningRateDecaySteps: number;
  readonly learningRateDecayFactor: number;
  readonly steps: number;
}

/**
 * Learning rate of step `step` (1-based): constant; cosine decay from the rate to 0 over the
 * steps; or step decay, × factor every `learningRateDecaySteps` steps.
 */
export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { learningRate } = options;
  switch (options.learningRateSchedule) {
    case 'cosine':
      return learningRate * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / options.steps));
    case 'step':
      return learningRate * options.learningRateDecayFactor ** Math.floor((step - 1) / options.learningRateDecaySteps);
    default:
      return learningRate;
  }
}
